/**
 * What the page shows of a run, and how each `RunEvent` changes it. Pure functions, so the
 * reduction of an event stream can be tested without a page or a worker.
 */
import type { Report } from '../../core/exercises/schema';
import type { LearnerErrorInfo, RunEvent, RunPhase } from '../../core/sandbox/events';
import { explainTfError } from '../../core/sandbox/explain-error';
import { appendBatches } from './decimate';
import { meterBatches, type TrainingMeter } from './progress';

export type RunStatus =
  | 'idle'
  | 'running'
  /** Graded: the report says pass or fail. */
  | 'graded'
  /** The run ended with an error in the learner's code or the lab. */
  | 'error'
  /** The learner pressed Stop. */
  | 'stopped'
  /** The page's watchdog stopped a run that overran its time limit. */
  | 'timeout';

/** One training batch, placed on a continuous epoch axis (epoch 0, batch 5 of 10 → x = 0.6). */
export interface BatchPoint {
  x: number;
  epoch: number;
  batch: number;
  loss?: number;
  accuracy?: number;
  /**
   * How many batches this point stands for (their mean figures and x; run/decimate.ts); absent: one.
   * The page keeps a bounded number of points, however long the run.
   */
  count?: number;
}

/** The figures at the end of one epoch (1-based `epoch` as shown to people). */
export interface EpochFigures {
  epoch: number;
  loss?: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  seconds: number;
  numTensors: number;
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  /** Milliseconds since the run started. */
  at: number;
}

export interface BackendInfo {
  backend: string;
  tried: { backend: string; ok: boolean; reason?: string }[];
}

export interface RunView {
  exerciseId: string | null;
  status: RunStatus;
  phase: RunPhase | null;
  phaseMessage: string;
  backend: BackendInfo | null;
  progress: { label: string; loaded: number; total: number } | null;
  /** The batches' figures, at most `2 × batchPointBudget` points (run/decimate.ts). */
  batches: BatchPoint[];
  /** Batches each point of `batches` stands for. */
  batchStride: number;
  epochs: EpochFigures[];
  /** Where training is and how fast it goes (the progress beside Run); null before a batch. */
  meter: TrainingMeter | null;
  /** The newest `logLineLimit` lines of the run's log. */
  log: LogLine[];
  /** Lines dropped from the front of `log` to keep it within `logLineLimit`. */
  logDropped: number;
  report: Report | null;
  error: LearnerErrorInfo | null;
  startedAt: number;
  endedAt: number | null;
}

export const idleRunView: RunView = {
  exerciseId: null,
  status: 'idle',
  phase: null,
  phaseMessage: '',
  backend: null,
  progress: null,
  batches: [],
  batchStride: 1,
  epochs: [],
  meter: null,
  log: [],
  logDropped: 0,
  report: null,
  error: null,
  startedAt: 0,
  endedAt: null,
};

/**
 * Lines the page keeps of a run's log: a learner's `lab.log` in every batch would otherwise grow
 * the page's memory and the log's DOM without end. The oldest go first.
 */
export const logLineLimit = 1000;

/** Keeps the newest `limit` lines of a log (in place), and says how many it dropped. */
export function trimLog(log: LogLine[], limit = logLineLimit): number {
  const excess = log.length - limit;
  if (excess <= 0) return 0;
  log.splice(0, excess);
  return excess;
}

export function startedRunView(exerciseId: string, now: number): RunView {
  return { ...idleRunView, exerciseId, status: 'running', phaseMessage: 'Starting the lab…', startedAt: now };
}

/** tfjs names accuracy `acc` or `accuracy` depending on how the metric was asked for. */
function pick(logs: Record<string, number>, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = logs[key];
    if (typeof value === 'number') return value;
  }
  return undefined;
}

export function epochFigures(event: Extract<RunEvent, { type: 'epoch' }>): EpochFigures {
  const { logs } = event;
  return {
    epoch: event.epoch + 1,
    loss: pick(logs, 'loss'),
    accuracy: pick(logs, 'acc', 'accuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy'),
    valLoss: pick(logs, 'val_loss'),
    valAccuracy: pick(
      logs,
      'val_acc',
      'val_accuracy',
      'val_categoricalAccuracy',
      'val_sparseCategoricalAccuracy',
    ),
    seconds: event.seconds,
    numTensors: event.numTensors,
  };
}

export function describeError(error: LearnerErrorInfo): string {
  const place =
    error.line !== undefined
      ? ` (line ${error.line}${error.column !== undefined ? `, column ${error.column}` : ''})`
      : '';
  return `${error.message}${place}`;
}

/** What the page adds under a run's error: the explanation and fix, and whether to link the Datasets page. */
export interface RunErrorHelp {
  hint?: string;
  /** The error is a dataset that could not be fetched: the Datasets page keeps datasets offline. */
  linkDatasets: boolean;
}

/** `manifest.json: could not be fetched from /datasets/fashion-mnist/ (Failed to fetch)`. */
const FETCH_FAILED = /could not be fetched from (\S+)/;

/**
 * The help shown under a run's error. A dataset the browser could not fetch is explained by whether
 * the page is online (`navigator.onLine`, read by the caller): offline, the dataset is simply not
 * kept in this browser yet. Any other error keeps the hint it came with, or gets one from its tfjs
 * text (core/sandbox/explain-error.ts) when it came without.
 */
export function runErrorHelp(error: LearnerErrorInfo, online: boolean): RunErrorHelp {
  const fetchFailed = FETCH_FAILED.exec(error.message);
  if (fetchFailed) {
    const id = /datasets\/([^/\s)]+)/.exec(fetchFailed[1])?.[1];
    const dataset = id ? `the dataset ${id}` : 'this dataset';
    return {
      hint: online
        ? `The lab could not download ${dataset} (the server did not answer). Try again; to train without a ` +
          'connection, keep the dataset in this browser from the Datasets page.'
        : `The lab is offline and ${dataset} is not kept in this browser yet. Connect once and download it ` +
          'from the Datasets page; after that it trains offline.',
      linkDatasets: true,
    };
  }
  const hint = error.hint ?? explainTfError(error.message);
  return { ...(hint ? { hint } : {}), linkDatasets: false };
}

/** Applies a burst of events at once: the page flushes them once per animation frame. */
export function applyRunEvents(view: RunView, events: RunEvent[], now: number): RunView {
  if (events.length === 0) return view;
  const next: RunView = { ...view };
  const batches: BatchPoint[] = [];
  let epochs: EpochFigures[] | null = null;
  let log: LogLine[] | null = null;
  const batchEvents: Extract<RunEvent, { type: 'batch' }>[] = [];
  const addLog = (level: LogLine['level'], message: string): void => {
    log ??= [...view.log];
    log.push({ level, message, at: now - view.startedAt });
  };
  for (const event of events) {
    switch (event.type) {
      case 'phase':
        next.phase = event.phase;
        next.phaseMessage = event.message;
        if (event.phase !== 'data') next.progress = null;
        addLog('info', event.message);
        break;
      case 'backend': {
        next.backend = { backend: event.backend, tried: event.tried };
        // The core logs why each skipped backend failed; here, the outcome in one line.
        const probes = event.tried.map((probe) => `${probe.backend} ${probe.ok ? '✓' : '✗'}`).join(', ');
        addLog('info', `Training on ${event.backend}${probes ? ` (probed: ${probes})` : ''}`);
        break;
      }
      case 'progress':
        next.progress = { label: event.label, loaded: event.loaded, total: event.total };
        break;
      case 'log':
        addLog(event.level, event.message);
        break;
      case 'batch': {
        batchEvents.push(event);
        const batchesPerEpoch = Math.max(1, event.batches);
        batches.push({
          x: event.epoch + (event.batch + 1) / batchesPerEpoch,
          epoch: event.epoch,
          batch: event.batch,
          loss: pick(event.logs, 'loss'),
          accuracy: pick(event.logs, 'acc', 'accuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy'),
        });
        break;
      }
      case 'epoch': {
        epochs ??= [...view.epochs];
        const figures = epochFigures(event);
        epochs.push(figures);
        const parts = [
          figures.loss !== undefined ? `loss ${figures.loss.toFixed(4)}` : null,
          figures.accuracy !== undefined ? `accuracy ${figures.accuracy.toFixed(4)}` : null,
          figures.valLoss !== undefined ? `val loss ${figures.valLoss.toFixed(4)}` : null,
          figures.valAccuracy !== undefined ? `val accuracy ${figures.valAccuracy.toFixed(4)}` : null,
          `${figures.seconds.toFixed(1)} s`,
        ].filter(Boolean);
        addLog('info', `Epoch ${figures.epoch}: ${parts.join(', ')}`);
        break;
      }
      case 'warning':
        addLog('warn', event.message);
        break;
      case 'error':
        next.error = event.error;
        addLog('error', describeError(event.error));
        break;
      case 'report':
        next.report = event.report;
        break;
    }
  }
  if (batches.length > 0) {
    const series = appendBatches({ points: view.batches, stride: view.batchStride }, batches);
    next.batches = series.points;
    next.batchStride = series.stride;
  }
  if (epochs) next.epochs = epochs;
  if (log) {
    next.log = log;
    next.logDropped = view.logDropped + trimLog(log);
  }
  if (batchEvents.length > 0) next.meter = meterBatches(view.meter, batchEvents, now);
  return next;
}
