/**
 * One run of an exercise, from the learner's source to a graded report. The worker (browser) and
 * the CLI (Node) both call `runExercise`; only the environment they pass differs.
 *
 *   backend → compile → train (learner code, with the Lab) → grade (test split) → report
 *
 * Every failure becomes a `LearnerErrorInfo` in the outcome, never an exception: the page and the
 * CLI show it, with the line in the learner's code when there is one.
 */
import type * as tfType from '@tensorflow/tfjs';
import { chooseBackend, NoBackendError } from '../runtime/backend';
import { loadDataset } from '../datasets/load';
import { loadOnce } from '../datasets/load-once';
import { toTestTensors } from '../datasets/tensors';
import type { LoadedDataset, SplitName } from '../datasets/types';
import { gradeModel } from '../grading/grade';
import type { Check, Report } from '../exercises/schema';
import { compileLearnerModule, describeLearnerError, LearnerError, type LearnerModule } from './compile';
import { gradeByCases } from './run-cases';
import { outsideSeed, withSeededRandom } from '../runtime/seed';
import { createLab } from './create-lab';
import type { LearnerErrorInfo, RunEvent } from './events';
import type { TF } from './lab';
import { defineMonitor, newMonitorContext, setMonitorContext, type MonitorContext } from './monitor';
import type { RunEnvironment, RunOutcome, RunRequest } from './run-types';

/** tfjs instances that already have our monitor registered for every `fit`. */
const monitoredTfs = new WeakMap<object, ReturnType<typeof defineMonitor>>();

function monitorClassFor(tf: TF): ReturnType<typeof defineMonitor> {
  let Monitor = monitoredTfs.get(tf);
  if (!Monitor) {
    Monitor = defineMonitor(tf);
    tf.registerCallbackConstructor(0, Monitor as never);
    monitoredTfs.set(tf, Monitor);
  }
  return Monitor;
}

/** A split of a prepared dataset, loaded once per worker or process (see `loadOnce`). */
function cachedDataset(
  env: RunEnvironment,
  id: string,
  split: SplitName,
  emit: (event: RunEvent) => void,
): Promise<LoadedDataset> {
  return loadOnce(`${id}:${split}`, () =>
    loadDataset(env.datasetReader(id), {
      splits: [split],
      onProgress: (p) =>
        emit({ type: 'progress', label: `Loading ${id} (${split})`, loaded: p.loaded, total: p.total }),
    }),
  );
}

export async function runExercise(request: RunRequest, env: RunEnvironment): Promise<RunOutcome> {
  const { tf } = env;
  // Events leave the run outside its seed: how many there are depends on timing (see runtime/seed.ts).
  const emit = (event: RunEvent) => outsideSeed(() => env.onEvent(event));
  const { exercise } = request.bundle;
  const timeLimitSeconds = request.timeLimitSeconds ?? exercise.limits.timeSeconds;
  let backend = 'none';
  const fail = (error: LearnerErrorInfo, monitor?: MonitorContext): RunOutcome => {
    emit({ type: 'error', error });
    return { ok: false, error, history: monitor?.history ?? [], backend };
  };

  // 1. Backend.
  emit({ type: 'phase', phase: 'backend', message: 'Choosing a backend' });
  try {
    const choice = await chooseBackend(tf, request.backend, env.candidateBackends);
    backend = choice.backend;
    emit({ type: 'backend', backend, tried: choice.tried });
    for (const trial of choice.tried.filter((t) => !t.ok)) {
      emit({ type: 'log', level: 'warn', message: `Backend ${trial.backend} skipped: ${trial.reason}` });
    }
  } catch (error) {
    const tried = error instanceof NoBackendError ? error.tried : [];
    emit({ type: 'backend', backend: 'none', tried });
    return fail({ kind: 'internal', message: (error as Error).message });
  }

  // 2. Compile.
  emit({ type: 'phase', phase: 'compile', message: 'Compiling your code' });
  let train: (lab: unknown) => unknown;
  let threshold: number | undefined;
  try {
    const module = compileLearnerModule(request.code, { '@tensorflow/tfjs': tf, 'cv-lab': {} });
    if (exercise.kind !== 'train') {
      try {
        return await finishCaseExercise(tf, request, module, backend, emit);
      } catch (error) {
        return fail({
          ...describeLearnerError(error, 'internal'),
          hint: 'The exercise itself failed: report it.',
        });
      }
    }
    if (typeof module.default !== 'function') {
      return fail({
        kind: 'contract',
        message: 'Your module must `export default async function train(lab: Lab)` returning a trained model',
      });
    }
    train = module.default as (lab: unknown) => unknown;
    threshold = decisionThreshold(module.threshold);
  } catch (error) {
    return fail(describeLearnerError(error, 'compile'));
  }
  if (!exercise.dataset) {
    return fail({ kind: 'contract', message: `Exercise ${exercise.id} names no dataset to grade on` });
  }

  // 3. Train, inside a tensor scope so data the learner forgot to dispose is freed after the run
  //    (variables, and so the model's weights, survive a scope).
  const Monitor = monitorClassFor(tf);
  const monitor = newMonitorContext(emit, timeLimitSeconds, Date.now());
  setMonitorContext(monitor);
  const lab = createLab({
    tf,
    backend,
    exercise: { id: exercise.id, timeLimitSeconds },
    emit,
    loadTrainingSplit: (id) => cachedDataset(env, id, 'train', emit),
    modelReader: env.modelReader ? (id) => env.modelReader!(id) : undefined,
    modelTrust: env.modelTrust,
    newMonitor: () => new Monitor(),
    monitor,
  });
  emit({ type: 'phase', phase: 'train', message: 'Running your train(lab)' });
  if (request.seed !== undefined) {
    emit({
      type: 'log',
      level: 'info',
      message: `Seed ${request.seed}: initial weights, dropout and shuffling are drawn from it, so this run can be repeated`,
    });
  }
  const trainStarted = Date.now();
  let returned: unknown;
  tf.engine().startScope();
  try {
    returned = await withTimeLimit(
      withSeededRandom(request.seed, () => train(lab)),
      timeLimitSeconds,
      monitor,
    );
  } catch (error) {
    tf.engine().endScope();
    setMonitorContext(null);
    if (error instanceof TimeLimitError) {
      return fail(
        {
          kind: 'time',
          message: `Stopped: the run exceeded the exercise's time limit of ${timeLimitSeconds} s`,
          hint: 'Train on fewer images (lab.data.load(id, { limit })) or for fewer epochs, or use a smaller model.',
        },
        monitor,
      );
    }
    return fail(describeLearnerError(error, 'runtime'), monitor);
  }
  tf.engine().endScope();
  setMonitorContext(null);
  const trainSeconds = (Date.now() - trainStarted) / 1000;

  if (monitor.stopReason === 'nan') {
    disposeIfModel(tf, returned);
    const last = monitor.history.at(-1);
    return fail(
      {
        kind: 'nan',
        message: `Training stopped: the loss became NaN${last ? ` in epoch ${last.epoch + 1}` : ''}`,
        hint:
          'Lower the learning rate, check that images are scaled to [0, 1], and that the labels match the loss ' +
          '(one-hot ys for categoricalCrossentropy, class indices for sparseCategoricalCrossentropy).',
      },
      monitor,
    );
  }
  if (!(returned instanceof tf.LayersModel)) {
    return fail(
      {
        kind: 'contract',
        message: `train(lab) must return a trained tf.LayersModel, but it returned ${describeValue(returned)}`,
        hint: 'End your function with `return model;`.',
      },
      monitor,
    );
  }
  const model = returned;
  const modelSummary = summarise(model);
  emit({ type: 'log', level: 'info', message: modelSummary });

  // 4. Grade on the test split, which learner code never saw.
  emit({ type: 'phase', phase: 'grade', message: 'Grading on the test split' });
  let report: Report;
  try {
    const dataset = await cachedDataset(env, exercise.dataset, 'test', emit);
    const test = toTestTensors(tf, dataset);
    const figures = lastEpochFigures(monitor);
    try {
      report = await gradeModel(tf, model, {
        exercise,
        test,
        classNames: dataset.manifest.classNames,
        epochs: monitor.epochsTrained || (model.history?.epoch?.length ?? 0),
        history: monitor.history,
        threshold,
        validationMetrics: figures.validation,
        trainMetrics: figures.train,
        trainSeconds,
        backend,
        datasetHash: dataset.hash,
      });
    } finally {
      tf.dispose(test.xs);
    }
    if (monitor.stopReason === 'time') report = withFailedCheck(report, timeLimitCheck(timeLimitSeconds));
  } catch (error) {
    model.dispose();
    const info = describeLearnerError(error, 'internal');
    return fail(
      { ...info, kind: /dataset|shard|manifest/i.test(info.message) ? 'data' : info.kind },
      monitor,
    );
  }
  if (monitor.stopReason === 'time') {
    emit({ type: 'warning', code: 'time', message: timeLimitCheck(timeLimitSeconds).detail });
  }
  emit({ type: 'report', report });
  emit({ type: 'phase', phase: 'done', message: report.passed ? 'Passed' : 'Not passed yet' });
  try {
    await env.onTrainedModel?.(model);
  } finally {
    model.dispose();
  }
  return { ok: true, report, history: monitor.history, backend, modelSummary };
}

/** A binary exercise's `export const threshold`: a probability strictly between 0 and 1. */
function decisionThreshold(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    throw new LearnerError({
      kind: 'contract',
      message: `export const threshold must be a number between 0 and 1, got ${JSON.stringify(value)}`,
    });
  }
  return value;
}

/** Function exercises and quizzes: graded by cases, no training. */
async function finishCaseExercise(
  tf: TF,
  request: RunRequest,
  module: LearnerModule,
  backend: string,
  emit: (event: RunEvent) => void,
): Promise<RunOutcome> {
  const { bundle, code } = request;
  emit({ type: 'phase', phase: 'grade', message: 'Checking your answers on the hidden cases' });
  const report = await gradeByCases(tf, bundle, module, code, backend);
  emit({ type: 'report', report });
  emit({ type: 'phase', phase: 'done', message: report.passed ? 'Passed' : 'Not passed yet' });
  return { ok: true, report, history: [], backend };
}

class TimeLimitError extends Error {}

/**
 * Resolves with the learner's result, or rejects when the time limit has passed. Training that
 * runs through `fit` is stopped cleanly by the monitor first; this catches code that never calls
 * back (the page also terminates a worker that stops answering altogether).
 */
function withTimeLimit<T>(work: Promise<T>, seconds: number, monitor: MonitorContext): Promise<T> {
  const graceSeconds = 30;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeLimitError()), (seconds + graceSeconds) * 1000);
  });
  return Promise.race([work, limit]).finally(() => {
    clearTimeout(timer);
    void monitor;
  });
}

function timeLimitCheck(seconds: number): Check {
  return {
    id: 'limit:time',
    label: 'Training finished within the time limit',
    passed: false,
    detail: `Training was stopped at the time limit of ${seconds} s; the model was graded as it was then`,
  };
}

function withFailedCheck(report: Report, check: Check): Report {
  return { ...report, passed: false, score: Math.min(report.score, 99.9), checks: [...report.checks, check] };
}

/** The last epoch's figures, split into training and validation (`val_` prefix), by metric name. */
function lastEpochFigures(monitor: MonitorContext): {
  train?: Record<string, number>;
  validation?: Record<string, number>;
} {
  const last = monitor.history.at(-1)?.logs;
  if (!last) return {};
  const train: Record<string, number> = {};
  const validation: Record<string, number> = {};
  for (const [key, value] of Object.entries(last)) {
    if (key.startsWith('val_')) validation[key.slice(4)] = value;
    else train[key] = value;
  }
  return {
    ...(Object.keys(train).length ? { train } : {}),
    ...(Object.keys(validation).length ? { validation } : {}),
  };
}

function summarise(model: tfType.LayersModel): string {
  const lines: string[] = [];
  model.summary(90, undefined, (line: string) => lines.push(line));
  return lines.join('\n');
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  return `a ${typeof value}`;
}

function disposeIfModel(tf: TF, value: unknown): void {
  if (value instanceof tf.LayersModel) value.dispose();
}

export { LearnerError };
