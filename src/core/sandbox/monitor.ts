/**
 * The training monitor: a tfjs callback that logs the model's summary as a `fit` starts (again only
 * when it changed, as after unfreezing layers), streams batch and epoch figures, stops on a NaN
 * loss or when the time budget is spent, and warns when the tensor count grows epoch over epoch
 * or when batch norm's moving statistics have had too few steps to settle.
 *
 * It is registered with `tf.registerCallbackConstructor`, so every `fit` call in a run is
 * monitored even when learner code forgets `lab.callbacks()`; `lab.callbacks()` returns one more
 * monitor, and whichever starts first on a `fit` does the work, so figures are never doubled.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';
import type { RunEventSink } from './events';
import type { Rule } from '../exercises/schema';
import { allLayers, checkRulesBeforeTraining } from '../grading/rules';

/** What the current run lets the monitor see and decide. One run at a time per worker or process. */
export interface MonitorContext {
  emit: RunEventSink;
  startedAt: number;
  timeLimitSeconds: number;
  /** Set by the monitor; read by the run when learner code returns or throws. */
  stopReason: 'nan' | 'time' | null;
  epochsTrained: number;
  history: { epoch: number; logs: Record<string, number> }[];
  tensorCounts: number[];
  leakWarned: boolean;
  /** Training steps (batches) of the `fit` in progress. */
  steps: number;
  batchNormWarned: boolean;
  /** The monitor doing the work for the `fit` in progress. */
  active: object | null;
  /** Images through a training step of `fit` (batch sizes added up), over every `fit` of the run. */
  imagesSeen: number;
  /** A callback other than the lab's ended a `fit` by setting `model.stopTraining`. */
  stoppedByCallback: boolean;
  /**
   * The model summary last logged, at a `fit`'s start, and the model `fit` trained (for a
   * `tf.sequential` that is the functional model inside it): the run's end logs the returned
   * model's summary only when it is not this one (`returnedModelSummary`).
   */
  lastSummary: { model: tfType.LayersModel; text: string } | null;
  /** The exercise's rules, checked against the model when `fit` starts. */
  rules: readonly Rule[];
  /** The rule checks last reported at a `fit`'s start, so a second `fit` repeats none. */
  lastRuleReport: string | null;
}

let current: MonitorContext | null = null;

export function setMonitorContext(context: MonitorContext | null): void {
  current = context;
}

export function newMonitorContext(
  emit: RunEventSink,
  timeLimitSeconds: number,
  now: number,
  rules: readonly Rule[] = [],
): MonitorContext {
  return {
    emit,
    startedAt: now,
    timeLimitSeconds,
    stopReason: null,
    epochsTrained: 0,
    history: [],
    tensorCounts: [],
    leakWarned: false,
    steps: 0,
    batchNormWarned: false,
    active: null,
    imagesSeen: 0,
    stoppedByCallback: false,
    lastSummary: null,
    rules,
    lastRuleReport: null,
  };
}

/** The model's layer table and parameter counts, as the run's log shows them. */
export function modelSummaryText(model: tfType.LayersModel): string {
  const lines: string[] = [];
  model.summary(90, undefined, (line: string) => lines.push(line));
  return lines.join('\n');
}

/**
 * The summary of the model `train(lab)` returned, and whether the log still needs it: not when the
 * last `fit` trained this model (or, for a `tf.sequential`, the functional model holding the same
 * layers, which is what tfjs hands callbacks) and nothing about it changed since that summary.
 */
export function returnedModelSummary(
  model: tfType.LayersModel,
  context: MonitorContext,
): { text: string; logged: boolean } {
  const last = context.lastSummary;
  if (last && sameLayers(model, last.model)) {
    const text = modelSummaryText(last.model);
    if (text === last.text) return { text, logged: true };
  }
  return { text: modelSummaryText(model), logged: false };
}

function sameLayers(returned: tfType.LayersModel, fitted: tfType.LayersModel): boolean {
  if (returned === fitted) return true;
  const own = (model: tfType.LayersModel) => model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const a = own(returned);
  const b = own(fitted);
  return a.length === b.length && a.every((layer, i) => layer === b[i]);
}

/** Figures from tfjs logs come as numbers or scalar tensors; we keep plain numbers. */
function plainLogs(logs: tfType.Logs | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(logs ?? {})) {
    out[key] = typeof value === 'number' ? value : Number((value as tfType.Scalar).dataSync()[0]);
  }
  return out;
}

const LEAK_EPOCHS = 3;

/** Training accuracy this far above validation accuracy, with young batch-norm averages, gets a hint. */
const BATCH_NORM_GAP = 0.3;
/** Moving averages "young" while this share of their starting values (mean 0, variance 1) remains. */
const BATCH_NORM_RESIDUE = 0.01;

/** The highest momentum among batch-norm layers that train (frozen ones keep their statistics). */
function trainingBatchNormMomentum(model: tfType.LayersModel): number | null {
  let highest: number | null = null;
  for (const layer of allLayers(model)) {
    if (layer.getClassName() !== 'BatchNormalization' || !layer.trainable) continue;
    const momentum = (layer.getConfig() as { momentum?: number }).momentum ?? 0.99;
    highest = Math.max(highest ?? 0, momentum);
  }
  return highest;
}

/** `model.stopTraining`, which tfjs refuses to read on a model that was never compiled. */
function stopRequested(model: tfType.LayersModel): boolean {
  try {
    return model.stopTraining;
  } catch {
    return false;
  }
}

/**
 * Builds the monitor class for one tfjs instance. A class per `tf` keeps `core` free of a
 * static tfjs import, so the worker and the CLI hand in whichever tfjs they loaded.
 */
export function defineMonitor(tf: TF) {
  return class LabMonitor extends tf.Callback {
    private epochStartedAt = 0;
    private batchesPerEpoch = 0;
    private totalEpochs: number | undefined;

    private get context(): MonitorContext | null {
      return current && current.active === this ? current : null;
    }

    override async onTrainBegin(): Promise<void> {
      if (current && current.active === null) current.active = this;
      const params = this.params as
        { samples?: number; batchSize?: number; steps?: number; epochs?: number } | undefined;
      const samples = params?.samples ?? 0;
      const batchSize = params?.batchSize ?? 32;
      this.batchesPerEpoch = params?.steps ?? Math.ceil(samples / batchSize);
      if (current && current.active === this) {
        const epochs = params?.epochs;
        // Counted from the epochs earlier fits trained, as the batch events' `epoch` is.
        this.totalEpochs =
          typeof epochs === 'number' && Number.isInteger(epochs) && epochs > 0
            ? current.epochsTrained + epochs
            : undefined;
        current.steps = 0;
        this.logSummary(current);
        this.checkRulesNow(current);
      }
    }

    /** The learner sees the layers and parameter counts while training runs, not only after it. */
    private logSummary(context: MonitorContext): void {
      let summary: string;
      try {
        summary = modelSummaryText(this.model);
      } catch {
        return; // A summary is a courtesy: never let it stop a fit.
      }
      if (context.lastSummary && summary === context.lastSummary.text) return;
      context.lastSummary = { model: this.model, text: summary };
      context.emit({ type: 'log', level: 'info', message: summary });
    }

    /**
     * The exercise's rules about the model (shape, size, layers), checked as `fit` starts: a broken
     * one is a warning now, not a surprise in the report after the whole run.
     */
    private checkRulesNow(context: MonitorContext): void {
      if (!context.rules.length) return;
      let checks;
      try {
        checks = checkRulesBeforeTraining(this.model, context.rules);
      } catch {
        return; // A courtesy, like the summary: never let it stop a fit.
      }
      if (!checks.length) return;
      const broken = checks.filter((c) => !c.passed);
      const report = checks.map((c) => `${c.passed ? '✓' : '✗'} ${c.label}: ${c.detail}`).join('\n');
      if (report === context.lastRuleReport) return;
      context.lastRuleReport = report;
      context.emit({ type: 'log', level: 'info', message: `Checked before training:\n${report}` });
      for (const check of broken) {
        context.emit({
          type: 'warning',
          code: 'rule',
          message: `This model breaks a rule of the exercise (${check.label}: ${check.detail}); the grade will fail it. Stop, fix the model and run again rather than wait for the result.`,
        });
      }
    }

    override async onTrainEnd(): Promise<void> {
      if (!current || current.active !== this) return;
      // tfjs clears `stopTraining` when a fit starts; set at the end, someone stopped this one.
      if (stopRequested(this.model) && current.stopReason === null) current.stoppedByCallback = true;
      current.active = null;
    }

    override async onEpochBegin(): Promise<void> {
      this.epochStartedAt = Date.now();
    }

    override async onBatchEnd(batch: number, logs?: tfType.Logs): Promise<void> {
      const context = this.context;
      if (!context) return;
      const figures = plainLogs(logs);
      context.steps += 1;
      context.imagesSeen += figures.size ?? 0;
      context.emit({
        type: 'batch',
        epoch: context.epochsTrained,
        batch,
        batches: this.batchesPerEpoch,
        ...(this.totalEpochs !== undefined ? { epochs: this.totalEpochs } : {}),
        logs: figures,
      });
      this.checkLimits(context, figures);
    }

    override async onEpochEnd(epoch: number, logs?: tfType.Logs): Promise<void> {
      const context = this.context;
      if (!context) return;
      const figures = plainLogs(logs);
      const numTensors = tf.memory().numTensors;
      context.history.push({ epoch: context.epochsTrained, logs: figures });
      context.emit({
        type: 'epoch',
        epoch: context.epochsTrained,
        logs: figures,
        numTensors,
        seconds: (Date.now() - this.epochStartedAt) / 1000,
      });
      context.epochsTrained += 1;
      context.tensorCounts.push(numTensors);
      this.checkLeak(context);
      this.checkBatchNorm(context, figures);
      this.checkLimits(context, figures);
      void epoch;
    }

    private stop(context: MonitorContext, reason: 'nan' | 'time'): void {
      context.stopReason ??= reason;
      this.model.stopTraining = true;
    }

    private checkLimits(context: MonitorContext, figures: Record<string, number>): void {
      if (Object.values(figures).some((v) => Number.isNaN(v) || !Number.isFinite(v))) {
        this.stop(context, 'nan');
      }
      const elapsed = (Date.now() - context.startedAt) / 1000;
      if (elapsed > context.timeLimitSeconds) this.stop(context, 'time');
    }

    /**
     * Warns once when validation accuracy lags far behind training accuracy while the model's
     * batch norm layers have taken too few steps for their moving averages to settle. Those
     * averages, not the batch's own statistics, are what the model predicts with (validation, the
     * grader); each step moves them by (1 − momentum), so after n steps momentumⁿ of their
     * starting values remains. On a few hundred images that is most of a run, and a network that
     * fits its training batches well predicts nearly one class.
     */
    private checkBatchNorm(context: MonitorContext, figures: Record<string, number>): void {
      if (context.batchNormWarned) return;
      const train = figures.acc ?? figures.accuracy;
      const validation = figures.val_acc ?? figures.val_accuracy;
      if (train === undefined || validation === undefined || train - validation < BATCH_NORM_GAP) return;
      const momentum = trainingBatchNormMomentum(this.model);
      if (momentum === null) return;
      const residue = momentum ** context.steps;
      if (residue < BATCH_NORM_RESIDUE) return;
      context.batchNormWarned = true;
      context.emit({
        type: 'warning',
        code: 'batch-norm',
        message:
          `Validation accuracy ${validation.toFixed(2)} is far below training accuracy ${train.toFixed(2)}, and the ` +
          `batch normalization layers have trained only ${context.steps} steps at momentum ${momentum}: their ` +
          `moving averages, which the model predicts with, still hold ${(100 * residue).toFixed(0)} % of their ` +
          'starting values. Give them more steps (smaller batches, more epochs) or a lower momentum: ' +
          'tf.layers.batchNormalization({ momentum: 0.9 }).',
      });
    }

    /** Warns once when the tensor count has grown at each of the last epochs. */
    private checkLeak(context: MonitorContext): void {
      const counts = context.tensorCounts.slice(-LEAK_EPOCHS);
      if (context.leakWarned || counts.length < LEAK_EPOCHS) return;
      // tfjs's own History keeps a few scalars per epoch (one per figure), so a handful of new
      // tensors each epoch is normal; a leak in a training step grows by hundreds.
      const allowed = Math.max(8, 2 * Object.keys(context.history.at(-1)?.logs ?? {}).length);
      const growing = counts.every((count, i) => i === 0 || count - counts[i - 1] > allowed);
      if (!growing) return;
      context.leakWarned = true;
      const first = context.epochsTrained - LEAK_EPOCHS + 1;
      context.emit({
        type: 'warning',
        code: 'leak',
        message:
          `Tensor count grew every epoch: ${counts.join(' → ')} at the end of epochs ${first}–${context.epochsTrained}. ` +
          'Something makes tensors each epoch and never frees them: wrap per-step work in tf.tidy(() => ...) ' +
          'or call .dispose() on tensors you no longer need.',
      });
    }
  };
}
