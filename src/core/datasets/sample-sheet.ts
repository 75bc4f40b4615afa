/**
 * The sample sheet of a prepared dataset (docs/architecture.md, "Formats"): the few train images
 * the "See the data" galleries and the augmentation preview show, written at prepare time beside
 * the shards so the page reads a few kilobytes instead of decoding the whole train split.
 *
 * Which images: the first `perClass` train images of each class (the most any gallery shows), and
 * the `strikingKept` most asymmetric of the first `scan` train images (the ones the augmentation
 * preview steps through), in train order, each once. The manifest lists the sheet like a shard
 * (size, SHA-256, count) with each image's train index and label and the ranking of the first
 * `scan` train images; the file holds their pixels, uint8 HWC, gzipped like every shard.
 *
 * The picking rules live here, pure, so the sheet and the whole-split path (datasets without a
 * sheet: older prepared copies, datasets imported before sheets) pick the same images.
 */
import type { RawSplit } from './types';

/** What a sheet holds: the galleries' and the augmentation preview's needs (app/components). */
export const SAMPLE_SHEET = {
  /** Train images of each class: the Datasets page shows 6, an exercise's brief 3. */
  perClass: 6,
  /** The augmentation preview ranks the first this many train images. */
  scan: 64,
  /** ... and steps through the best this many ("Another image"). */
  strikingKept: 12,
} as const;

export const SAMPLE_SHEET_FILE = 'train-samples.bin.gzip';

/** A train image: its index in the train split and its label. */
export interface SampleRef {
  index: number;
  label: number;
}

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

/**
 * The indices of the first `scan` images of a split, most asymmetric first (ties: earlier first).
 * The order is total, so the ranking of the first k < `scan` images is this one without the
 * indices from k on: a sheet ranked over `scan` answers any smaller scan.
 */
export function strikingImages(split: RawSplit, shape: number[], scan: number): number[] {
  const scored: { index: number; score: number }[] = [];
  for (let i = 0; i < Math.min(scan, split.count); i++)
    scored.push({ index: i, score: asymmetry(split, i, shape) });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map((s) => s.index);
}

/** What the manifest says of a sheet besides its file's size and hash (`SampleSheetSchema`). */
export interface SampleSheetPick {
  perClass: number;
  scan: number;
  /** The sheet's images in the file's order: ascending train index. */
  images: SampleRef[];
  /** The first `scan` train images, most asymmetric first. */
  striking: SampleRef[];
}

/** Picks a train split's sample sheet and copies out its pixels (`perImage` bytes each). */
export function pickSampleSheet(
  train: RawSplit,
  shape: readonly number[],
  classCount: number,
): { pick: SampleSheetPick; pixels: Uint8Array } {
  const { perClass, scan, strikingKept } = SAMPLE_SHEET;
  const labels = train.labels.subarray(0, train.count);
  const striking = strikingImages(train, [...shape], scan);
  const chosen = new Set([
    ...galleryIndices(labels, classCount, perClass).flat(),
    ...striking.slice(0, strikingKept),
  ]);
  const indices = [...chosen].sort((a, b) => a - b);
  const perImage = shape[0] * shape[1] * shape[2];
  const pixels = new Uint8Array(indices.length * perImage);
  indices.forEach((index, at) =>
    pixels.set(train.images.subarray(index * perImage, (index + 1) * perImage), at * perImage),
  );
  return {
    pick: {
      perClass,
      scan,
      images: indices.map((index) => ({ index, label: labels[index] })),
      striking: striking.map((index) => ({ index, label: labels[index] })),
    },
    pixels,
  };
}

/** A sheet's images as a split of their own (position i is `pick.images[i]`), for the pixel helpers. */
export function sheetSplit(pick: Pick<SampleSheetPick, 'images'>, pixels: Uint8Array): RawSplit {
  return {
    images: pixels,
    labels: Uint8Array.from(pick.images, (image) => image.label),
    count: pick.images.length,
  };
}
