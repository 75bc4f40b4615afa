/**
 * `symbols` (the pretraining set of our MobileNet base) and `novel-symbols` (the held-out transfer
 * task): deterministic, balanced, and two disjoint families of figures, each distinct from every
 * other and within the box the drawing paints.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/core/shared/bytes';
import { deriveSeed, Random } from '../../../src/core/datasets/generate/random';
import { edgeCoverage } from '../../../src/core/datasets/generate/raster';
import {
  generateNovelSymbols,
  generateSymbols,
  NOVEL_SYMBOL_OUTLINES,
  NOVEL_SYMBOLS_CLASS_NAMES,
  SYMBOL_OUTLINES,
  SYMBOLS_CLASS_NAMES,
} from '../../../src/core/datasets/generate/symbols';
import type { FigureOutline } from '../../../src/core/datasets/generate/shapes';

const countPerClass = (labels: Uint8Array, classes: number) => {
  const counts = new Array<number>(classes).fill(0);
  labels.forEach((label) => counts[label]++);
  return counts;
};

/** The figure's coverage on a 48×48 grid, centred, radius 16, unrotated. */
function mask(outline: FigureOutline): Float32Array {
  const side = 48;
  const distance = outline(16, new Random(deriveSeed(1, 2)));
  const out = new Float32Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) out[y * side + x] = edgeCoverage(distance(x + 0.5 - 24, y + 0.5 - 24));
  }
  return out;
}

describe('symbols generators', () => {
  it('are deterministic per seed and split, balanced, 48×48×3', async () => {
    const first = generateSymbols({ seed: 3, count: 60, size: 48, stream: 0 });
    const again = generateSymbols({ seed: 3, count: 60, size: 48, stream: 0 });
    expect(await sha256Hex(again.images)).toBe(await sha256Hex(first.images));
    expect(await sha256Hex(generateSymbols({ seed: 3, count: 60, size: 48, stream: 1 }).images)).not.toBe(
      await sha256Hex(first.images),
    );
    expect(first.images.length).toBe(60 * 48 * 48 * 3);
    expect(countPerClass(first.labels, 20)).toEqual(new Array(20).fill(3));
    const novel = generateNovelSymbols({ seed: 3, count: 25, size: 32, stream: 0 });
    expect(novel.images.length).toBe(25 * 32 * 32 * 3);
    expect(countPerClass(novel.labels, 5)).toEqual([5, 5, 5, 5, 5]);
  });

  it('keep the held-out classes out of the pretraining set', () => {
    expect(SYMBOLS_CLASS_NAMES).toHaveLength(20);
    expect(NOVEL_SYMBOLS_CLASS_NAMES).toEqual([
      'heart',
      'lightning bolt',
      'flower',
      'hollow triangle',
      'horseshoe',
    ]);
    for (const name of NOVEL_SYMBOLS_CLASS_NAMES) expect(SYMBOLS_CLASS_NAMES).not.toContain(name);
  });

  it('draw every figure of both families as a distinct silhouette inside the painted box', () => {
    const figures = [...Object.entries(SYMBOL_OUTLINES), ...Object.entries(NOVEL_SYMBOL_OUTLINES)] as [
      string,
      FigureOutline,
    ][];
    const masks = figures.map(([, outline]) => mask(outline));
    figures.forEach(([name], a) => {
      const area = masks[a].reduce((s, v) => s + v, 0) / masks[a].length;
      expect(area, name).toBeGreaterThan(0.08);
      // drawFigureImage paints within 1.3 r (+ 2 px) of the centre: nothing may lie beyond.
      for (let i = 0; i < masks[a].length; i++) {
        const x = (i % 48) + 0.5 - 24;
        const y = Math.floor(i / 48) + 0.5 - 24;
        if (Math.hypot(x, y) > 16 * 1.3 + 1) expect(masks[a][i], `${name} at ${x}, ${y}`).toBe(0);
      }
      for (let b = a + 1; b < masks.length; b++) {
        let difference = 0;
        for (let i = 0; i < masks[a].length; i++) difference += Math.abs(masks[a][i] - masks[b][i]);
        // A hexagon is near a circle (a fine distinction to pretrain on); a held-out figure is
        // further from every pretraining one.
        const heldOut = b >= SYMBOLS_CLASS_NAMES.length && a < SYMBOLS_CLASS_NAMES.length;
        expect(difference / masks[a].length, `${name} vs ${figures[b][0]}`).toBeGreaterThan(
          heldOut ? 0.05 : 0.02,
        );
      }
    });
  });
});
