/**
 * Data-parallel training steps: every core of the machine on one model (README.md).
 *
 * tfjs trains a `LayersModel` one batch at a time through the function `makeTrainFunction` returns
 * (`fit`, `fitDataset` and `trainOnBatch` all use it). Installed, each such step is cut by rows:
 * the first part is computed here, by tfjs's own train function, and each other part by a gradient
 * helper (a worker with a copy of the model, gradient-helper.ts) at the same time. The parts' losses
 * are means over their rows, so the whole batch's gradient is the row-weighted mean of the parts'
 * gradients; it is applied once, by the learner's own optimizer, and the step reports the
 * row-weighted mean of the parts' loss and metrics, as tfjs would for the whole batch.
 *
 * What stays on one thread, with the reason said once per model (`onNotice`): a backend other than
 * WASM (a GPU backend is parallel already), a model with several inputs or outputs, a loss or metric
 * given as a function (it cannot be sent to a helper), a layer tfjs cannot serialize, sample
 * weights, and batches too small to share. A helper that fails (to rebuild a model, or a step) or stops
 * answering ends the split: that step is computed again on this thread, and the rest of the run
 * trains here.
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';
import type { TF } from '../tf';
import type { HelperConfig } from './gradient-helper';
import type { HelperLink } from './helper-links';
import {
  answerFloats,
  CONFIGURE,
  INPUT_FLOATS,
  MAX_ROW_RANK,
  readText,
  RESULT_FLOATS,
  ROWS,
  STEP,
  STOP,
  TARGET_FLOATS,
  VALUES,
  WEIGHT_FLOATS,
  writeStepShapes,
  writeText,
  type StepChannel,
} from './step-channel';

export interface DataParallelOptions {
  /** How many helpers to start, besides this thread: cores - 1 is the usual choice. */
  helpers: number;
  /** Starts helper number `index` (0, 1, ...): a worker thread, or a stream to one. */
  startHelper: (index: number) => HelperLink;
  /** The smallest part worth sending to a helper (default 8 rows). */
  minRowsPerPart?: number;
  /** Why a model trains on one thread, or that a helper failed: once per model. */
  onNotice?: (message: string) => void;
  /** How long a step waits for a helper before computing its part here (default 120 s). */
  helperTimeoutMs?: number;
}

export interface DataParallelTraining {
  /** Resolves once every helper is up (they start at install; steps before that run whole). */
  ready(): Promise<void>;
  /** Steps split so far, and steps computed whole on this thread. */
  counts(): { split: number; whole: number };
  /** Puts tfjs's own train function back and stops the helpers. */
  uninstall(): void;
}

type TrainFunction = (data: Tensor[]) => Tensor[];
type Optimizer = {
  applyGradients(gradients: Record<string, Tensor>): void;
};
/** A weight of a layer (tfjs's `LayerVariable`). */
export interface ModelWeight {
  shape: (number | null)[];
  read(): Variable;
  write(value: Tensor): unknown;
}

/** The parts of a compiled tfjs `LayersModel` a split step uses, tfjs's private ones included. */
export interface CompiledModel {
  inputs: unknown[];
  outputs: unknown[];
  weights: ModelWeight[];
  collectedTrainableWeights: ModelWeight[];
  loss: unknown;
  metrics: unknown;
  optimizer_: unknown;
  toJSON(unused: null, returnString: false): unknown;
  makeTrainFunction(): TrainFunction;
  dispose(): unknown;
}
type Compiled = CompiledModel;

interface Helper {
  link: HelperLink;
  up: boolean;
  /** The model and trainable-weight list the helper's copy was built for. */
  configuredFor: { model: Compiled; trainable: unknown } | null;
}

const DEFAULT_MIN_ROWS = 8;

export function installDataParallelTraining(tf: TF, options: DataParallelOptions): DataParallelTraining {
  const minRows = options.minRowsPerPart ?? DEFAULT_MIN_ROWS;
  const timeoutMs = options.helperTimeoutMs ?? 120_000;
  const prototype = tf.LayersModel.prototype as unknown as Compiled;
  const tfjsMakeTrainFunction = prototype.makeTrainFunction;
  const refusals = new WeakMap<object, string>();
  const noticed = new WeakSet<object>();
  let helpers: Helper[] | null = null;
  let broken = false;
  let split = 0;
  let whole = 0;

  const notice = (model: object, message: string) => {
    if (noticed.has(model)) return;
    noticed.add(model);
    options.onNotice?.(message);
  };

  const startHelpers = (): Helper[] => {
    if (helpers) return helpers;
    helpers = [];
    for (let i = 0; i < options.helpers; i++) {
      const link = options.startHelper(i);
      const helper: Helper = { link, up: false, configuredFor: null };
      // A worker starts only once this thread returns to its event loop, so a step never waits
      // for one to start: until it is up, steps are computed here.
      link.ready.then(
        () => (helper.up = true),
        () => undefined,
      );
      helpers.push(helper);
    }
    return helpers;
  };

  const stopHelpers = () => {
    for (const helper of helpers ?? []) {
      if (helper.up) helper.link.send(STOP);
      helper.link.terminate();
    }
    helpers = null;
  };

  /** Why this model cannot be split, or null. */
  const refusalOf = (model: Compiled): string | null => {
    const known = refusals.get(model.collectedTrainableWeights);
    if (known !== undefined) return known || null;
    let reason = '';
    const names = (value: unknown) =>
      value === undefined ||
      typeof value === 'string' ||
      (Array.isArray(value) && value.every((entry) => typeof entry === 'string'));
    if (model.inputs.length !== 1 || model.outputs.length !== 1)
      reason = 'the model has several inputs or outputs';
    else if (!names(model.loss))
      reason = 'its loss is a function of its own (only named losses can be shared)';
    else if (!names(model.metrics))
      reason = 'a metric is a function of its own (only named metrics can be shared)';
    else if (model.collectedTrainableWeights.some((weight) => !model.weights.includes(weight)))
      reason = 'it trains weights outside the model';
    else {
      try {
        model.toJSON(null, false);
      } catch (error) {
        reason = `a layer cannot be serialized (${error instanceof Error ? error.message : String(error)})`;
      }
    }
    refusals.set(model.collectedTrainableWeights, reason);
    return reason || null;
  };

  const configure = (model: Compiled, helper: Helper): string | null => {
    const trainable = model.collectedTrainableWeights;
    if (helper.configuredFor?.model === model && helper.configuredFor.trainable === trainable) return null;
    const config: HelperConfig = {
      topology: model.toJSON(null, false) as object,
      loss: model.loss as string | string[],
      metrics: model.metrics as string | string[] | undefined,
      weightShapes: model.weights.map((weight) => weight.shape as number[]),
      trainable: trainable.map((weight) => model.weights.indexOf(weight)),
      seed: Math.floor(Math.random() * 4294967296),
    };
    const text = JSON.stringify(config);
    try {
      // UTF-8 takes at most 3 bytes per UTF-16 unit: room for the text in floats.
      const channel = helper.link.channel((3 * text.length) / 4 + 1);
      writeText(channel, text);
      helper.link.send(CONFIGURE);
      const outcome = helper.link.receive(timeoutMs);
      if (outcome !== 'done') return outcome === 'failed' ? readText(channel) : 'a helper did not answer';
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    helper.configuredFor = { model, trainable };
    return null;
  };

  const splitStep = (model: Compiled, trainWhole: TrainFunction, data: Tensor[]): Tensor[] => {
    const wholeStep = () => {
      whole++;
      return trainWhole(data);
    };
    if (broken || tf.getBackend() !== 'wasm') return wholeStep();
    const reason = refusalOf(model);
    if (reason) {
      notice(model, `Training on one thread: ${reason}.`);
      return wholeStep();
    }
    // After the inputs and targets, `fit` passes a slot per output for sample weights, null
    // without them (class weights fill them).
    if (data.slice(2).some((weights) => weights != null)) return wholeStep();
    const [input, target] = data;
    const rows = input.shape[0];
    const parts = Math.min(options.helpers + 1, Math.floor(rows / minRows));
    if (parts < 2) return wholeStep();
    const working = startHelpers()
      .filter((helper) => helper.up)
      .slice(0, parts - 1);
    if (working.length === 0) return wholeStep();
    for (const helper of working) {
      const failure = configure(model, helper);
      if (failure) {
        // A helper that failed may have ended (past its share of memory): none is asked again.
        broken = true;
        stopHelpers();
        notice(model, `Training on one thread: a helper could not rebuild the model (${failure}).`);
        return wholeStep();
      }
    }

    // Rows per part: as even as they come, the remainder to the first parts.
    const count = working.length + 1;
    const sizes = Array.from(
      { length: count },
      (_, i) => Math.floor(rows / count) + (i < rows % count ? 1 : 0),
    );
    const inputRow = input.size / rows;
    const targetRow = target.size / rows;
    const inputData = input.dataSync();
    const targetData = target.dataSync();
    const weights = model.weights.map((weight) => weight.read().dataSync() as Float32Array);
    const weightFloats = weights.reduce((sum, w) => sum + w.length, 0);
    const trainable = model.collectedTrainableWeights;
    const gradientFloats = trainable.reduce((sum, w) => sum + w.read().size, 0);
    const shapes = {
      input: input.shape.slice(1),
      target: target.shape.slice(1),
      inputDtype: input.dtype === 'int32' ? ('int32' as const) : ('float32' as const),
      targetDtype: target.dtype === 'int32' ? ('int32' as const) : ('float32' as const),
    };
    if (shapes.input.length > MAX_ROW_RANK || shapes.target.length > MAX_ROW_RANK) return wholeStep();
    // A helper that fails, stops answering or cannot be reached (a broken pipe) ends the split for
    // the rest of the run; this step is computed whole.
    const abandon = (error: unknown): Tensor[] => {
      broken = true;
      stopHelpers();
      notice(
        model,
        `Training on one thread from here: a helper failed (${error instanceof Error ? error.message : String(error)}).`,
      );
      return wholeStep();
    };
    let start = sizes[0];
    const channels: StepChannel[] = [];
    try {
      for (const [i, helper] of working.entries()) {
        const part = sizes[i + 1];
        const channel = helper.link.channel(
          weightFloats + part * (inputRow + targetRow) + gradientFloats + 64,
        );
        channels.push(channel);
        const { control, floats } = channel;
        writeStepShapes(channel, shapes);
        let offset = 0;
        for (const w of weights) {
          floats.set(w, offset);
          offset += w.length;
        }
        floats.set(inputData.subarray(start * inputRow, (start + part) * inputRow), offset);
        offset += part * inputRow;
        floats.set(targetData.subarray(start * targetRow, (start + part) * targetRow), offset);
        control[ROWS] = part;
        control[WEIGHT_FLOATS] = weightFloats;
        control[INPUT_FLOATS] = part * inputRow;
        control[TARGET_FLOATS] = part * targetRow;
        control[RESULT_FLOATS] = gradientFloats;
        helper.link.send(STEP);
        start += part;
      }
    } catch (error) {
      return abandon(error);
    }

    const share = sizes.map((size) => size / rows);
    const optimizer = model.optimizer_ as Optimizer;
    const helperValues: Float32Array[] = [];
    let failure: string | null = null;
    const averaging = {
      minimize: (loss: () => Tensor, _returnCost: boolean, variables: Variable[]) => {
        const { value, grads } = tf.variableGrads(loss as () => never, variables);
        for (const [i, helper] of working.entries()) {
          let outcome: ReturnType<HelperLink['receive']>;
          try {
            outcome = helper.link.receive(timeoutMs);
          } catch (error) {
            failure ??= error instanceof Error ? error.message : String(error);
            continue;
          }
          if (outcome !== 'done' && !failure)
            failure = outcome === 'failed' ? readText(channels[i]) : 'a helper did not answer';
        }
        if (failure) {
          tf.dispose(grads);
          return value;
        }
        const averaged: Record<string, Tensor> = {};
        const offsets = channels.map((channel) => answerFloats(channel).start);
        // The row-weighted mean, in JavaScript: one pass over each gradient instead of a few
        // tensor operations per part.
        for (const variable of variables) {
          const mean = grads[variable.name].dataSync() as Float32Array;
          for (let j = 0; j < mean.length; j++) mean[j] *= share[0];
          for (const [i, channel] of channels.entries()) {
            const gradient = channel.floats;
            const weight = share[i + 1];
            for (let j = 0, k = offsets[i]; j < mean.length; j++, k++) mean[j] += weight * gradient[k];
            offsets[i] += mean.length;
          }
          averaged[variable.name] = tf.tensor(mean, variable.shape);
        }
        for (const [i, channel] of channels.entries()) {
          helperValues.push(channel.floats.slice(offsets[i], offsets[i] + channel.control[VALUES]));
        }
        optimizer.applyGradients(averaged);
        tf.dispose([averaged, grads] as never);
        return value;
      },
    };
    const local = [tf.slice(input, 0, sizes[0]), tf.slice(target, 0, sizes[0])];
    let outputs: Tensor[];
    model.optimizer_ = averaging;
    try {
      outputs = trainWhole(local);
    } finally {
      model.optimizer_ = optimizer;
      tf.dispose(local);
    }
    if (failure) {
      tf.dispose(outputs);
      return abandon(failure);
    }
    split++;
    return outputs.map((output, i) =>
      tf.tidy(() => {
        let mean = tf.mul(output, share[0]);
        for (const [h, values] of helperValues.entries()) mean = tf.add(mean, values[i] * share[h + 1]);
        output.dispose();
        return mean;
      }),
    );
  };

  prototype.makeTrainFunction = function makeTrainFunction(this: Compiled) {
    const trainWhole = tfjsMakeTrainFunction.call(this);
    return (data: Tensor[]) => splitStep(this, trainWhole, data);
  };

  // Start now: a worker starts only once this thread returns to its event loop, which a run does
  // while it loads its data, before its first step.
  startHelpers();
  return {
    async ready() {
      await Promise.all(startHelpers().map((helper) => helper.link.ready));
    },
    counts: () => ({ split, whole }),
    uninstall() {
      prototype.makeTrainFunction = tfjsMakeTrainFunction;
      stopHelpers();
    },
  };
}
