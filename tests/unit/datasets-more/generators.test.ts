import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/core/shared/bytes';
import { deriveSeed, Random } from '../../../src/core/datasets/generate/random';
import {
  generateShapes,
  shapeDistance,
  SHAPES_CLASS_NAMES,
} from '../../../src/core/datasets/generate/shapes';
import {
  generateSurfaceDefects,
  SURFACE_DEFECT_CLASS_NAMES,
  toBinaryDefectSplit,
} from '../../../src/core/datasets/generate/surface-defects';
import { edgeCoverage } from '../../../src/core/datasets/generate/raster';

const countPerClass = (labels: Uint8Array, classes: number) => {
  const counts = new Array<number>(classes).fill(0);
  labels.forEach((label) => counts[label]++);
  return counts;
};

describe('shapes generator', () => {
  const first = generateShapes({ seed: 7, count: 120 });

  it('is deterministic: the same seed gives the same bytes, another seed or split other bytes', async () => {
    const again = generateShapes({ seed: 7, count: 120 });
    expect(await sha256Hex(again.images)).toBe(await sha256Hex(first.images));
    expect(Array.from(again.labels)).toEqual(Array.from(first.labels));
    expect(await sha256Hex(generateShapes({ seed: 8, count: 120 }).images)).not.toBe(
      await sha256Hex(first.images),
    );
    expect(await sha256Hex(generateShapes({ seed: 7, count: 120, stream: 1 }).images)).not.toBe(
      await sha256Hex(first.images),
    );
  });

  it('makes balanced 64×64×3 images that use the whole value range', () => {
    expect(first.count).toBe(120);
    expect(first.images.length).toBe(120 * 64 * 64 * 3);
    expect(countPerClass(first.labels, 6)).toEqual([20, 20, 20, 20, 20, 20]);
    let min = 255;
    let max = 0;
    for (const v of first.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeLessThan(10);
    expect(max).toBeGreaterThan(245);
    // No two images alike.
    const perImage = 64 * 64 * 3;
    const keys = new Set(
      Array.from({ length: 120 }, (_, i) => first.images.subarray(i * perImage, i * perImage + 64).join()),
    );
    expect(keys.size).toBe(120);
  });

  it('honours the size option', () => {
    const small = generateShapes({ seed: 1, count: 6, size: 32 });
    expect(small.images.length).toBe(6 * 32 * 32 * 3);
  });

  it('draws every class as a distinct silhouette (same size, position and angle)', () => {
    const side = 48;
    const masks = SHAPES_CLASS_NAMES.map((shape) => {
      const distance = shapeDistance(shape, 16, new Random(deriveSeed(1, 2)));
      const mask = new Float32Array(side * side);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++)
          mask[y * side + x] = edgeCoverage(distance(x + 0.5 - side / 2, y + 0.5 - side / 2));
      }
      return mask;
    });
    for (let a = 0; a < masks.length; a++) {
      const area = masks[a].reduce((s, v) => s + v, 0) / masks[a].length;
      expect(area, SHAPES_CLASS_NAMES[a]).toBeGreaterThan(0.1);
      for (let b = a + 1; b < masks.length; b++) {
        let difference = 0;
        for (let i = 0; i < masks[a].length; i++) difference += Math.abs(masks[a][i] - masks[b][i]);
        expect(
          difference / masks[a].length,
          `${SHAPES_CLASS_NAMES[a]} vs ${SHAPES_CLASS_NAMES[b]}`,
        ).toBeGreaterThan(0.05);
      }
    }
  });
});

describe('surface-defects generator', () => {
  const split = generateSurfaceDefects({ seed: 3, count: 250 });
  const side = 96;

  it('is deterministic and balanced, grayscale 96×96 within the value range', async () => {
    const again = generateSurfaceDefects({ seed: 3, count: 250 });
    expect(await sha256Hex(again.images)).toBe(await sha256Hex(split.images));
    expect(await sha256Hex(generateSurfaceDefects({ seed: 4, count: 250 }).images)).not.toBe(
      await sha256Hex(split.images),
    );
    expect(split.images.length).toBe(250 * side * side);
    expect(countPerClass(split.labels, 5)).toEqual([50, 50, 50, 50, 50]);
    const mean = split.images.reduce((s, v) => s + v, 0) / split.images.length;
    expect(mean).toBeGreaterThan(70);
    expect(mean).toBeLessThan(180);
  });

  it('gives every defect class more local detail than clean surfaces, on average', () => {
    // The 99.7th percentile of |3×3-ish blur − 19×19 blur|: what a defect adds at its own scale.
    const box = (image: Uint8Array, r: number) => {
      // A summed-area table: any box sum in four look-ups.
      const w = side + 1;
      const table = new Float64Array(w * w);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          table[(y + 1) * w + x + 1] =
            image[y * side + x] + table[y * w + x + 1] + table[(y + 1) * w + x] - table[y * w + x];
        }
      }
      const out = new Float32Array(side * side);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const y0 = Math.max(0, y - r);
          const x0 = Math.max(0, x - r);
          const y1 = Math.min(side, y + r + 1);
          const x1 = Math.min(side, x + r + 1);
          const sum = table[y1 * w + x1] - table[y0 * w + x1] - table[y1 * w + x0] + table[y0 * w + x0];
          out[y * side + x] = sum / ((y1 - y0) * (x1 - x0));
        }
      }
      return out;
    };
    const detail = (image: Uint8Array) => {
      const fine = box(image, 2);
      const coarse = box(image, 9);
      const values = Array.from(fine, (v, i) => Math.abs(v - coarse[i])).sort((a, b) => a - b);
      return values[Math.floor(values.length * 0.997)];
    };
    const sums = new Array<number>(5).fill(0);
    for (let i = 0; i < split.count; i++)
      sums[split.labels[i]] += detail(split.images.subarray(i * side * side, (i + 1) * side * side));
    const means = sums.map((s) => s / 50);
    for (let k = 1; k < 5; k++) {
      expect(means[k], `${SURFACE_DEFECT_CLASS_NAMES[k]} vs clean`).toBeGreaterThan(means[0] * 1.15);
    }
  });

  it('leans every line one way at the station and both ways in the plant; a mirror turns one into the other', () => {
    // Σ gx·gy over an image is negative where its strong edges run from upper left to lower right
    // (angles 0° to 90° with y pointing down), positive for the mirrored lean.
    const lean = (image: Uint8Array, mirrored = false) => {
      const at = (x: number, y: number) => image[y * side + (mirrored ? side - 1 - x : x)];
      let sum = 0;
      for (let y = 1; y < side - 1; y++) {
        for (let x = 1; x < side - 1; x++)
          sum += (at(x + 1, y) - at(x - 1, y)) * (at(x, y + 1) - at(x, y - 1));
      }
      return sum;
    };
    const leaningBack = (pose: 'station' | 'plant', mirrored = false) => {
      const images = generateSurfaceDefects({ seed: 5, count: 200, pose });
      const lines = [];
      for (let i = 0; i < images.count; i++) {
        const label = SURFACE_DEFECT_CLASS_NAMES[images.labels[i]];
        if (label === 'scratch' || label === 'crack') {
          lines.push(lean(images.images.subarray(i * side * side, (i + 1) * side * side), mirrored));
        }
      }
      return lines.filter((value) => value < 0).length / lines.length;
    };
    expect(leaningBack('station')).toBeGreaterThan(0.9);
    expect(leaningBack('station', true)).toBeLessThan(0.1);
    const plant = leaningBack('plant');
    expect(plant).toBeGreaterThan(0.3);
    expect(plant).toBeLessThan(0.7);
  });

  it('has a binary view with the same images: clean is ok (0), every defect is 1', () => {
    const binary = toBinaryDefectSplit(split);
    expect(binary.images).toBe(split.images);
    expect(Array.from(binary.labels)).toEqual(Array.from(split.labels, (l) => (l === 0 ? 0 : 1)));
  });
});
