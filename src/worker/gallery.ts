/**
 * "See the data" (issue 13, item 6): sample images of each class from a prepared dataset's train
 * split, as RGBA bytes the page draws on canvases, and the train images on which the augmentation
 * preview shows its transforms best. Pure functions on a decoded split, tested without a worker.
 */
import type { LoadedDataset, RawSplit } from '../core/datasets/types';
import type { GalleryAnswer } from './contract';

/** Up to `perClass` indices of each class, in the split's order (class k at position k). */
export function galleryIndices(labels: Uint8Array, classCount: number, perClass: number): number[][] {
  const picked: number[][] = Array.from({ length: classCount }, () => []);
  let missing = classCount * Math.max(0, perClass);
  for (let i = 0; i < labels.length && missing > 0; i++) {
    const chosen = picked[labels[i]];
    if (chosen && chosen.length < perClass) {
      chosen.push(i);
      missing -= 1;
    }
  }
  return picked;
}

/** One image of a split (uint8 HWC) as RGBA bytes: grey replicated, a fourth channel dropped. */
export function imageRgba(
  split: RawSplit,
  index: number,
  [height, width, channels]: number[],
): Uint8ClampedArray {
  const pixels = height * width;
  const from = index * pixels * channels;
  const rgba = new Uint8ClampedArray(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    const at = from + p * channels;
    rgba[p * 4] = split.images[at];
    rgba[p * 4 + 1] = split.images[at + (channels >= 3 ? 1 : 0)];
    rgba[p * 4 + 2] = split.images[at + (channels >= 3 ? 2 : 0)];
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}

/** Cells per side of the coarse grid on which asymmetry is measured. */
const asymmetryCells = 8;

/**
 * How much an image differs from its mirror images, left-right and top-bottom, on a coarse grid
 * (the mean of each cell) less its best-fitting plane: a scratch or a shoe changes under a flip or
 * a rotation; a plain surface does not, nor does its lighting's gradient; pixel noise averages out
 * in the cells. 0 for a symmetric image; in pixel levels.
 */
export function asymmetry(split: RawSplit, index: number, [height, width, channels]: number[]): number {
  const cells = Math.max(1, Math.min(asymmetryCells, height, width));
  const means = new Float64Array(cells * cells);
  const counts = new Float64Array(cells * cells);
  const from = index * height * width * channels;
  for (let y = 0; y < height; y++) {
    const row = Math.min(cells - 1, Math.floor((y * cells) / height));
    for (let x = 0; x < width; x++) {
      const cell = row * cells + Math.min(cells - 1, Math.floor((x * cells) / width));
      const at = from + (y * width + x) * channels;
      let value = 0;
      for (let c = 0; c < Math.min(3, channels); c++) value += split.images[at + c];
      means[cell] += value / Math.min(3, channels);
      counts[cell] += 1;
    }
  }
  for (let i = 0; i < means.length; i++) means[i] /= Math.max(1, counts[i]);
  removePlane(means, cells);
  let total = 0;
  for (let y = 0; y < cells; y++) {
    for (let x = 0; x < cells; x++) {
      const value = means[y * cells + x];
      total += Math.abs(value - means[y * cells + (cells - 1 - x)]);
      total += Math.abs(value - means[(cells - 1 - y) * cells + x]);
    }
  }
  return total / (2 * cells * cells);
}

/**
 * Subtracts from a square grid of values its least-squares plane a + b·x + c·y (in place). On a
 * centred grid the three fits are independent: a is the mean, b and c each a covariance.
 */
function removePlane(values: Float64Array, cells: number): void {
  const centre = (cells - 1) / 2;
  let sum = 0;
  let sumX = 0;
  let sumY = 0;
  let squares = 0;
  for (let y = 0; y < cells; y++) {
    for (let x = 0; x < cells; x++) {
      const value = values[y * cells + x];
      sum += value;
      sumX += value * (x - centre);
      sumY += value * (y - centre);
    }
  }
  for (let x = 0; x < cells; x++) squares += (x - centre) ** 2;
  squares *= cells;
  const mean = sum / (cells * cells);
  const slopeX = squares > 0 ? sumX / squares : 0;
  const slopeY = squares > 0 ? sumY / squares : 0;
  for (let y = 0; y < cells; y++) {
    for (let x = 0; x < cells; x++) {
      values[y * cells + x] -= mean + slopeX * (x - centre) + slopeY * (y - centre);
    }
  }
}

/** The indices of the first `scan` images of a split, most asymmetric first (ties: earlier first). */
export function strikingImages(split: RawSplit, shape: number[], scan: number): number[] {
  const scored: { index: number; score: number }[] = [];
  for (let i = 0; i < Math.min(scan, split.count); i++)
    scored.push({ index: i, score: asymmetry(split, i, shape) });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map((s) => s.index);
}

/** The gallery of a loaded dataset's train split: `perClass` images of each class, and `striking`. */
export function galleryOf(loaded: LoadedDataset, perClass: number, scan: number): GalleryAnswer {
  const split = loaded.splits.train;
  if (!split) throw new Error(`${loaded.manifest.id}: the train split is not loaded`);
  const shape = loaded.manifest.imageShape;
  const names = loaded.manifest.classNames;
  const indices = galleryIndices(split.labels.subarray(0, split.count), names.length, perClass);
  return {
    classNames: names,
    height: shape[0],
    width: shape[1],
    classes: indices.map((chosen, label) => ({
      name: names[label],
      images: chosen.map((index) => ({ index, rgba: imageRgba(split, index, shape) })),
    })),
    striking: strikingImages(split, shape, scan).map((index) => ({ index, label: split.labels[index] })),
  };
}
