/**
 * Counts training as it really happens, for the run rules (at most K epochs): every optimizer
 * update, and every image through `trainOnBatch`, not only what `fit`'s callbacks report. A run
 * of 25 epochs made with `trainOnBatch` is 25 epochs, whatever `fit` saw.
 *
 * The hooks are set in the sandbox before learner code runs, and the properties they replace are
 * made read-only, so learner code cannot put the originals back by assignment. This raises the bar;
 * it is not proof (learner code could update weights by hand with `variable.assign`). The proof that
 * a model came from its code is a reproduction on the lead's machine (docs/architecture.md).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';

export interface TrainingCounter {
  optimizerSteps: number;
  stepsOutsideFit: number;
  /** Images through `trainOnBatch` (the monitor counts those through `fit`). */
  batchImages: number;
}

const OPTIMIZER_CLASSES = [
  'SGDOptimizer',
  'MomentumOptimizer',
  'AdamOptimizer',
  'AdamaxOptimizer',
  'AdagradOptimizer',
  'AdadeltaOptimizer',
  'RMSPropOptimizer',
] as const;

/** Replaces `owner[name]` with `wrap(original)` and makes it read-only. */
function seal<T extends object>(owner: T, name: string, wrap: (original: never) => unknown): void {
  const original = (owner as Record<string, unknown>)[name];
  if (typeof original !== 'function') return;
  Object.defineProperty(owner, name, {
    value: wrap(original as never),
    writable: false,
    configurable: false,
    enumerable: false,
  });
}

const installed = new WeakMap<object, TrainingCounter>();

/**
 * Installs the counting hooks on this tfjs instance before learner code runs, and returns the
 * counter at zero. A sandbox runs one job; a second call (tests running the sandbox in their own
 * thread) finds the hooks in place and resets the counter.
 */
export function installTrainingCounter(tf: TF): TrainingCounter {
  const existing = installed.get(tf);
  if (existing) {
    Object.assign(existing, { optimizerSteps: 0, stepsOutsideFit: 0, batchImages: 0 });
    return existing;
  }
  const counter: TrainingCounter = { optimizerSteps: 0, stepsOutsideFit: 0, batchImages: 0 };
  installed.set(tf, counter);
  let insideTraining = 0;
  const classes = tf as unknown as Record<string, { prototype: object } | undefined>;
  for (const name of OPTIMIZER_CLASSES) {
    const prototype = classes[name]?.prototype;
    if (!prototype) continue;
    seal(
      prototype,
      'applyGradients',
      (original: (...args: unknown[]) => unknown) =>
        function (this: unknown, ...args: unknown[]) {
          counter.optimizerSteps += 1;
          if (insideTraining === 0) counter.stepsOutsideFit += 1;
          return original.apply(this, args);
        },
    );
  }
  const model = tf.LayersModel.prototype as unknown as Record<string, unknown>;
  // Updates made inside these count as training the lab sees (fit's epochs, trainOnBatch's images).
  const whileTraining = (original: (...args: unknown[]) => Promise<unknown>) =>
    async function (this: unknown, ...args: unknown[]) {
      insideTraining += 1;
      try {
        return await original.apply(this, args);
      } finally {
        insideTraining -= 1;
      }
    };
  seal(model, 'fit', whileTraining);
  seal(model, 'fitDataset', whileTraining);
  seal(model, 'trainOnBatch', (original: (...args: unknown[]) => Promise<unknown>) => {
    const counted = whileTraining(original);
    return function (this: unknown, x: unknown, ...rest: unknown[]) {
      counter.batchImages += batchSize(x);
      return counted.apply(this, [x, ...rest]);
    };
  });
  return counter;
}

function batchSize(x: unknown): number {
  const first = Array.isArray(x) ? x[0] : x;
  const shape = (first as tfType.Tensor | undefined)?.shape;
  return Array.isArray(shape) && typeof shape[0] === 'number' ? shape[0] : 0;
}
