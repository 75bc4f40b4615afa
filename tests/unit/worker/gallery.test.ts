import { describe, expect, test } from 'vitest';
import type { LoadedDataset, RawSplit } from '../../../src/core/datasets/types';
import { asymmetry, galleryIndices, strikingImages } from '../../../src/core/datasets/sample-sheet';
import { galleryOf, imageRgba } from '../../../src/worker/gallery';

/** A split of 16×16 grey images drawn by `paint(index, y, x)`. */
function split(
  count: number,
  labels: number[],
  paint: (index: number, y: number, x: number) => number,
): RawSplit {
  const images = new Uint8Array(count * 16 * 16);
  for (let i = 0; i < count; i++)
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) images[(i * 16 + y) * 16 + x] = paint(i, y, x);
  return { images, labels: Uint8Array.from(labels), count };
}

const shape = [16, 16, 1];

describe('gallery', () => {
  test('picks the first images of each class, in order, up to the count', () => {
    const labels = Uint8Array.from([2, 0, 0, 1, 0, 2, 0]);
    expect(galleryIndices(labels, 3, 2)).toEqual([[1, 2], [3], [0, 5]]);
    expect(galleryIndices(labels, 4, 1)).toEqual([[1], [3], [0], []]);
    expect(galleryIndices(labels, 3, 0)).toEqual([[], [], []]);
  });

  test('grey pixels become opaque RGBA', () => {
    const data = split(2, [0, 1], (i, y, x) => (i === 1 && y === 0 && x === 1 ? 200 : 0));
    const rgba = imageRgba(data, 1, shape);
    expect(rgba).toHaveLength(16 * 16 * 4);
    expect([...rgba.subarray(4, 8)]).toEqual([200, 200, 200, 255]);
    expect([...rgba.subarray(0, 4)]).toEqual([0, 0, 0, 255]);
  });

  test('RGB pixels keep their channels', () => {
    const images = Uint8Array.from([10, 20, 30, 40, 50, 60]);
    const rgba = imageRgba({ images, labels: Uint8Array.from([0]), count: 1 }, 0, [1, 2, 3]);
    expect([...rgba]).toEqual([10, 20, 30, 255, 40, 50, 60, 255]);
  });

  test('a plain or noisy surface is less striking than a mark on one side', () => {
    let seed = 7;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 40) + 100;
    const data = split(3, [0, 0, 1], (i, y, x) => {
      if (i === 0) return 128; // plain
      if (i === 1) return noise(); // texture: noise averages out in the coarse cells
      return x < 4 && y < 8 ? 255 : 120; // a mark in the top-left corner
    });
    expect(asymmetry(data, 0, shape)).toBe(0);
    expect(asymmetry(data, 1, shape)).toBeLessThan(10);
    expect(asymmetry(data, 2, shape)).toBeGreaterThan(30);
    expect(strikingImages(data, shape, 3)).toEqual([2, 1, 0]);
    expect(strikingImages(data, shape, 2)).toEqual([1, 0]);
  });

  test("a surface's lighting gradient is not asymmetry: a flip of it shows nothing new", () => {
    const data = split(2, [0, 0], (i, y, x) =>
      i === 0 ? 40 + x * 8 + y * 2 : 40 + x * 8 + (x > 10 && y < 4 ? 100 : 0),
    );
    expect(asymmetry(data, 0, shape)).toBeLessThan(1);
    expect(asymmetry(data, 1, shape)).toBeGreaterThan(10);
  });

  test('the answer: class names, images by class and the striking images with labels', () => {
    const data = split(4, [1, 0, 1, 0], (i, _y, x) => (i === 2 && x < 3 ? 255 : 0));
    const loaded = {
      manifest: { id: 't', classNames: ['a', 'b'], imageShape: shape },
      hash: '',
      splits: { train: data },
    } as unknown as LoadedDataset;
    const answer = galleryOf(loaded, 1, 4);
    expect(answer.classNames).toEqual(['a', 'b']);
    expect(answer).toMatchObject({ width: 16, height: 16 });
    expect(answer.classes.map((c) => [c.name, c.images.map((image) => image.index)])).toEqual([
      ['a', [1]],
      ['b', [0]],
    ]);
    expect(answer.striking[0]).toEqual({ index: 2, label: 1 });
  });
});
