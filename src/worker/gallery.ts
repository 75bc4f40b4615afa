/**
 * "See the data" (issue 13, item 6): sample images of each class from a prepared dataset's train
 * split, as RGBA bytes the page draws on canvases, and the train images on which the augmentation
 * preview shows its transforms best. Answered from the dataset's sample sheet when it has one that
 * holds what is asked (`galleryFromSheet`), else from the whole decoded train split (`galleryOf`);
 * both pick with the same rules (core/datasets/sample-sheet.ts). Pure functions, tested without a worker.
 */
import type { LoadedSampleSheet } from '../core/datasets/load';
import { galleryIndices, sheetSplit, strikingImages } from '../core/datasets/sample-sheet';
import type { LoadedDataset, RawSplit } from '../core/datasets/types';
import type { GalleryAnswer } from './contract';

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

/** The gallery of a loaded dataset's train split: `perClass` images of each class, and `striking`. */
export function galleryOf(loaded: LoadedDataset, perClass: number, scan: number): GalleryAnswer {
  const split = loaded.splits.train;
  if (!split) throw new Error(`${loaded.manifest.id}: the train split is not loaded`);
  const { imageShape, classNames } = loaded.manifest;
  return {
    ...classImages(
      split,
      galleryIndices(split.labels.subarray(0, split.count), classNames.length, perClass),
      {
        classNames,
        imageShape,
        trainIndex: (index) => index,
      },
    ),
    striking: strikingImages(split, imageShape, scan).map((index) => ({ index, label: split.labels[index] })),
    source: 'train split',
  };
}

/** Whether a sheet holds what a gallery request asks for: its images per class, its ranking. */
export function sheetAnswers(sheet: LoadedSampleSheet, perClass: number, scan: number): boolean {
  const trainCount = sheet.manifest.splits.train.count;
  return (
    perClass <= sheet.entry.perClass && Math.min(scan, trainCount) <= Math.min(sheet.entry.scan, trainCount)
  );
}

/**
 * The gallery from a sample sheet (check `sheetAnswers` first): the same answer `galleryOf` gives
 * on the whole train split. The sheet holds the first `perClass` of each class in train order (and
 * some later images, which come after those), so its first of each class are the split's; the
 * ranking of the first `scan` images is the sheet's without the indices from `scan` on.
 */
export function galleryFromSheet(sheet: LoadedSampleSheet, perClass: number, scan: number): GalleryAnswer {
  const { manifest, entry } = sheet;
  const split = sheetSplit(entry, sheet.pixels);
  return {
    ...classImages(split, galleryIndices(split.labels, manifest.classNames.length, perClass), {
      ...manifest,
      trainIndex: (at) => entry.images[at].index,
    }),
    striking: entry.striking.filter((ref) => ref.index < scan),
    source: 'sample sheet',
  };
}

/** The answer's images: `positions[k]` are class k's images in `split`, named by their train index. */
function classImages(
  split: RawSplit,
  positions: number[][],
  {
    classNames,
    imageShape,
    trainIndex,
  }: { classNames: string[]; imageShape: number[]; trainIndex: (at: number) => number },
): Pick<GalleryAnswer, 'classNames' | 'height' | 'width' | 'classes'> {
  return {
    classNames,
    height: imageShape[0],
    width: imageShape[1],
    classes: positions.map((chosen, label) => ({
      name: classNames[label],
      images: chosen.map((at) => ({ index: trainIndex(at), rgba: imageRgba(split, at, imageShape) })),
    })),
  };
}

/** One train image's pixels (uint8 HWC) from a sheet, or undefined when the sheet does not hold it. */
export function sheetImage(sheet: LoadedSampleSheet, index: number): Uint8Array | undefined {
  const at = sheet.entry.images.findIndex((ref) => ref.index === index);
  if (at < 0) return undefined;
  const [height, width, channels] = sheet.manifest.imageShape;
  const size = height * width * channels;
  return sheet.pixels.subarray(at * size, (at + 1) * size);
}
