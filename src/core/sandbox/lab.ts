/**
 * The `Lab` object handed to learner code: the only door from an exercise to data, logging and
 * the run's limits. Learner files import its type as `import type { Lab } from 'cv-lab'`.
 *
 * `lab.data` hands out train and validation tensors only; the test split is read by the grader
 * alone, so no learner code can fit to it.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { AugmentApi } from '../augment';
import type { DataLoadOptions, LabDataset } from '../datasets/lab-data';
import type { LabModels } from '../models/lab-models';
import type { TF } from '../shared/tf';

// Learner code reads these from `cv-lab`; they are defined where they belong, below the sandbox.
export type { TF };
export type { DataLoadOptions, LabDataset, LabSplit } from '../datasets/lab-data';

export interface LabData {
  /** Loads a prepared dataset by id (e.g. `'fashion-mnist'`). */
  load(id: string, options?: DataLoadOptions): Promise<LabDataset>;
}

export interface Lab {
  /** TensorFlow.js, on the backend the lab chose (see `lab.backend`). */
  tf: TF;
  data: LabData;
  /**
   * Callbacks for `model.fit`: stream batch and epoch figures to the page, stop on NaN loss, enforce
   * the exercise's time limit and warn about leaked tensors. Pass them as `callbacks: lab.callbacks()`
   * (or in an array with your own). The lab also attaches the same monitor to every `fit` by itself,
   * so limits hold even without it; figures are never counted twice.
   */
  callbacks(): tfType.Callback;
  /**
   * Data augmentation: `lab.augment.layers.randomFlip({ mode: 'horizontal' })` and friends are
   * Keras-style layers, active only while training, that save with the model; `lab.augment.ops`
   * are the same transforms as functions on a batch; `lab.augment.preview` draws a grid.
   */
  augment: AugmentApi;
  /**
   * Pretrained models and transfer-learning helpers: `await lab.models.load('symbols-mobilenet-v1-0.25')`
   * (hash-checked), `lab.models.truncate(model, layerName)`, `lab.models.freeze(model)`,
   * `lab.models.unfreeze(model, { from: 'block_13' })`, `lab.models.blocks(model)`, `lab.models.list()`.
   */
  models: LabModels;
  /** Prints to the run's log (the page's log panel, or the terminal in the CLI). */
  log(...values: unknown[]): void;
  /** The backend training runs on: `webgpu`, `webgl`, `wasm` or `cpu`. */
  backend: string;
  /** The exercise being run. */
  exercise: { id: string; timeLimitSeconds: number };
}
