/**
 * Turns verified raw splits into the tensors the Lab hands to learner code (`LabDataset`) and the
 * tensors the grader evaluates on. Pixels are scaled to float32 [0, 1] and labels one-hot encoded
 * in plain typed arrays, then wrapped once, so no intermediate tensor is ever created (or leaked).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';
import { imageBytes } from './manifest';
import { shuffledIndices } from '../shared/shuffle';
import type { DataLoadOptions, LabDataset, LabSplit } from './lab-data';
import type { LoadedDataset, RawSplit, SplitName } from './types';

export const DEFAULT_SEED = 42;

/** The test split as the grader wants it: images as a tensor, labels as plain class indices. */
export interface TestTensors {
  /** [n, h, w, c], float32 in [0, 1]. The caller disposes it. */
  xs: tfType.Tensor4D;
  labels: Uint8Array;
  count: number;
}

/** The options after validation, defaults filled in. */
export interface ResolvedDataLoadOptions {
  validationSplit: number;
  limit: number | undefined;
  seed: number;
}

/** Checks learner-supplied options; throws an Error whose message says what is allowed. */
export function resolveDataLoadOptions(options: DataLoadOptions = {}): ResolvedDataLoadOptions {
  const { validationSplit = 0, limit, seed = DEFAULT_SEED } = options;
  if (typeof validationSplit !== 'number' || !(validationSplit >= 0 && validationSplit < 0.5)) {
    throw new Error(
      `validationSplit must be a number from 0 up to (not including) 0.5, got ${String(validationSplit)}`,
    );
  }
  if (limit !== undefined && !(typeof limit === 'number' && Number.isInteger(limit) && limit > 0)) {
    throw new Error(`limit must be a positive integer, got ${String(limit)}`);
  }
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw new Error(`seed must be an integer, got ${String(seed)}`);
  }
  return { validationSplit, limit, seed };
}

function requireSplit(dataset: LoadedDataset, name: SplitName): RawSplit {
  const split = dataset.splits[name];
  if (!split) throw new Error(`the ${name} split of '${dataset.manifest.id}' was not loaded`);
  return split;
}

/**
 * Which train images the Lab hands out, by index: the first `limit` images, shuffled with `seed`,
 * the last `validationSplit` of them held out as validation data (at least one image when the
 * fraction is above 0, and at least one image always left to train on). The host computes this
 * (it hands the images out and evaluates the validation part itself); the sandbox never does.
 */
export function labSplitOrder(
  available: number,
  options: DataLoadOptions = {},
): { train: Uint32Array; validation: Uint32Array } {
  const { validationSplit, limit, seed } = resolveDataLoadOptions(options);
  const count = Math.min(available, limit ?? available);
  let validationCount = validationSplit > 0 ? Math.max(1, Math.floor(count * validationSplit)) : 0;
  if (validationCount >= count) validationCount = 0;
  const order = shuffledIndices(count, seed);
  return {
    train: order.subarray(0, count - validationCount),
    validation: order.subarray(count - validationCount),
  };
}

/** The images and labels at `indices`, copied in that order: what crosses to the sandbox. */
export function gatherSplit(raw: RawSplit, perImage: number, indices: Uint32Array): RawSplit {
  const images = new Uint8Array(indices.length * perImage);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    images.set(raw.images.subarray(indices[k] * perImage, (indices[k] + 1) * perImage), k * perImage);
    labels[k] = raw.labels[indices[k]];
  }
  return { images, labels, count: indices.length };
}

/** The handed-out train and validation parts as Lab tensors (the sandbox's side of `lab.data.load`). */
export function labDatasetFromSplits(
  tf: TF,
  parts: {
    classNames: string[];
    imageShape: [number, number, number];
    train: RawSplit;
    validation: RawSplit | null;
  },
): LabDataset {
  const { imageShape, classNames } = parts;
  const take = (raw: RawSplit) =>
    makeLabSplit(tf, imageShape, classNames.length, raw, identityOrder(raw.count));
  const train = take(parts.train);
  let validation: LabSplit | null = null;
  try {
    if (parts.validation && parts.validation.count > 0) validation = take(parts.validation);
  } catch (error) {
    // Out of memory, typically: hand nothing back half-made.
    tf.dispose([train.xs, train.ys, train.labels]);
    throw error;
  }
  return { train, validation, classNames: [...classNames], imageShape: [...imageShape] };
}

/** The train split as Lab tensors, in one step (`labSplitOrder`, then `labDatasetFromSplits`). */
export function toLabDataset(tf: TF, dataset: LoadedDataset, options: DataLoadOptions = {}): LabDataset {
  const raw = requireSplit(dataset, 'train');
  const order = labSplitOrder(raw.count, options);
  const perImage = imageBytes(dataset.manifest);
  return labDatasetFromSplits(tf, {
    classNames: dataset.manifest.classNames,
    imageShape: dataset.manifest.imageShape,
    train: gatherSplit(raw, perImage, order.train),
    validation: order.validation.length ? gatherSplit(raw, perImage, order.validation) : null,
  });
}

/** A split's images as grader tensors, in their stored order. */
export function splitTensors(tf: TF, raw: RawSplit, imageShape: [number, number, number]): TestTensors {
  const [h, w, c] = imageShape;
  return {
    xs: tf.tensor4d(scaledPixels(raw.images, h * w * c, identityOrder(raw.count)), [raw.count, h, w, c]),
    labels: raw.labels.slice(),
    count: raw.count,
  };
}

function identityOrder(count: number): Uint32Array {
  const all = new Uint32Array(count);
  for (let i = 0; i < count; i++) all[i] = i;
  return all;
}

/** The test split for the grader, in its stored order. */
export function toTestTensors(tf: TF, dataset: LoadedDataset): TestTensors {
  return splitTensors(tf, requireSplit(dataset, 'test'), dataset.manifest.imageShape);
}

/** v / 255 for every byte value, computed once so every pixel is the exact same float32. */
const PIXEL_SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

function scaledPixels(images: Uint8Array, perImage: number, indices: Uint32Array): Float32Array {
  const out = new Float32Array(indices.length * perImage);
  for (let k = 0; k < indices.length; k++) {
    const from = indices[k] * perImage;
    const to = k * perImage;
    for (let p = 0; p < perImage; p++) out[to + p] = PIXEL_SCALE[images[from + p]];
  }
  return out;
}

function makeLabSplit(
  tf: TF,
  imageShape: [number, number, number],
  classCount: number,
  raw: RawSplit,
  indices: Uint32Array,
): LabSplit {
  const n = indices.length;
  const [h, w, c] = imageShape;
  const oneHot = new Float32Array(n * classCount);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const label = raw.labels[indices[k]];
    labels[k] = label;
    oneHot[k * classCount + label] = 1;
  }
  return {
    xs: tf.tensor4d(scaledPixels(raw.images, h * w * c, indices), [n, h, w, c]),
    ys: tf.tensor2d(oneHot, [n, classCount]),
    labels: tf.tensor1d(labels, 'int32'),
    count: n,
  };
}
