/**
 * What `lab.data.load` hands learner code: the options and the tensors of one dataset. Learner files
 * read these types from `cv-lab` (src/core/sandbox/lab.ts re-exports them); this file imports
 * nothing of ours, so the editor's `cv-lab` typings stay small.
 */
import type * as tfType from '@tensorflow/tfjs';

export interface DataLoadOptions {
  /** Fraction of the training split held out as validation data, 0 to 0.5. Default 0. */
  validationSplit?: number;
  /** Use at most this many training images (before the validation split). Handy for quick tries. */
  limit?: number;
  /** Shuffle seed; the same seed gives the same split. Default 42. */
  seed?: number;
}

/** One split as tensors: images scaled to [0, 1], labels both one-hot and as class indices. */
export interface LabSplit {
  /** [n, height, width, channels], float32 in [0, 1]. */
  xs: tfType.Tensor4D;
  /** [n, numClasses], one-hot float32: for `categoricalCrossentropy`. */
  ys: tfType.Tensor2D;
  /** [n], int32 class indices: for `sparseCategoricalCrossentropy` or your own metrics. */
  labels: tfType.Tensor1D;
  count: number;
}

export interface LabDataset {
  train: LabSplit;
  /** Present when `validationSplit` > 0. */
  validation: LabSplit | null;
  classNames: string[];
  imageShape: [number, number, number];
}
