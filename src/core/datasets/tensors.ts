/**
 * Turns verified raw splits into the tensors the Lab hands to learner code (`LabDataset`) and the
 * tensors the grader evaluates on. Pixels are scaled to float32 [0, 1] and labels one-hot encoded
 * in plain typed arrays, then wrapped once, so no intermediate tensor is ever created (or leaked).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { DataLoadOptions, LabDataset, LabSplit, TF } from '../sandbox/lab';
import { imageBytes } from './manifest';
import { shuffledIndices } from './shuffle';
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
 * The train split as Lab tensors: the first `limit` images, shuffled with `seed`, the last
 * `validationSplit` of them held out as validation data (at least one image when the fraction is
 * above 0, and at least one image always left to train on).
 */
export function toLabDataset(tf: TF, dataset: LoadedDataset, options: DataLoadOptions = {}): LabDataset {
  const { validationSplit, limit, seed } = resolveDataLoadOptions(options);
  const raw = requireSplit(dataset, 'train');
  const count = Math.min(raw.count, limit ?? raw.count);
  let validationCount = validationSplit > 0 ? Math.max(1, Math.floor(count * validationSplit)) : 0;
  if (validationCount >= count) validationCount = 0;
  const order = shuffledIndices(count, seed);
  const { imageShape, classNames } = dataset.manifest;
  const take = (indices: Uint32Array) => makeLabSplit(tf, imageShape, classNames.length, raw, indices);
  const train = take(order.subarray(0, count - validationCount));
  let validation: LabSplit | null = null;
  try {
    if (validationCount > 0) validation = take(order.subarray(count - validationCount));
  } catch (error) {
    // Out of memory, typically: hand nothing back half-made.
    tf.dispose([train.xs, train.ys, train.labels]);
    throw error;
  }
  return { train, validation, classNames: [...classNames], imageShape: [...imageShape] };
}

/** The test split for the grader, in its stored order. */
export function toTestTensors(tf: TF, dataset: LoadedDataset): TestTensors {
  const raw = requireSplit(dataset, 'test');
  const all = new Uint32Array(raw.count);
  for (let i = 0; i < raw.count; i++) all[i] = i;
  return {
    xs: tf.tensor4d(scaledPixels(raw.images, imageBytes(dataset.manifest), all), [
      raw.count,
      ...dataset.manifest.imageShape,
    ]),
    labels: raw.labels.slice(),
    count: raw.count,
  };
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
