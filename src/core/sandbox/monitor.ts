/**
 * The training monitor: a tfjs callback that streams batch and epoch figures, stops on a NaN
 * loss or when the time budget is spent, and warns when the tensor count grows epoch over epoch.
 *
 * It is registered with `tf.registerCallbackConstructor`, so every `fit` call in a run is
 * monitored even when learner code forgets `lab.callbacks()`; `lab.callbacks()` returns one more
 * monitor, and whichever starts first on a `fit` does the work, so figures are never doubled.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from './lab';
import type { RunEventSink } from './events';

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
  /** The monitor doing the work for the `fit` in progress. */
  active: object | null;
}

let current: MonitorContext | null = null;

export function setMonitorContext(context: MonitorContext | null): void {
  current = context;
}

export function newMonitorContext(emit: RunEventSink, timeLimitSeconds: number, now: number): MonitorContext {
  return {
    emit,
    startedAt: now,
    timeLimitSeconds,
    stopReason: null,
    epochsTrained: 0,
    history: [],
    tensorCounts: [],
    leakWarned: false,
    active: null,
  };
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

/**
 * Builds the monitor class for one tfjs instance. A class per `tf` keeps `core` free of a
 * static tfjs import, so the worker and the CLI hand in whichever tfjs they loaded.
 */
export function defineMonitor(tf: TF) {
  return class LabMonitor extends tf.Callback {
    private epochStartedAt = 0;
    private batchesPerEpoch = 0;

    private get context(): MonitorContext | null {
      return current && current.active === this ? current : null;
    }

    override async onTrainBegin(): Promise<void> {
      if (current && current.active === null) current.active = this;
      const params = this.params as { samples?: number; batchSize?: number; steps?: number } | undefined;
      const samples = params?.samples ?? 0;
      const batchSize = params?.batchSize ?? 32;
      this.batchesPerEpoch = params?.steps ?? Math.ceil(samples / batchSize);
    }

    override async onTrainEnd(): Promise<void> {
      if (current && current.active === this) current.active = null;
    }

    override async onEpochBegin(): Promise<void> {
      this.epochStartedAt = Date.now();
    }

    override async onBatchEnd(batch: number, logs?: tfType.Logs): Promise<void> {
      const context = this.context;
      if (!context) return;
      const figures = plainLogs(logs);
      context.emit({
        type: 'batch',
        epoch: context.epochsTrained,
        batch,
        batches: this.batchesPerEpoch,
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
