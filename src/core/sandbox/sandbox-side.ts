/**
 * The sandbox's side of the run protocol (protocol.ts): the only code that executes learner code.
 * It runs in an opaque-origin Web Worker in the page and in a locked-down child process in the CLI
 * (docs/architecture.md, "Trust boundary"); unit tests run it in their own thread.
 *
 *   start → backend → compile → (train with the Lab | call the functions | read the answers) → end
 *
 * It holds nothing a grade depends on. Data comes from the host on request (`lab.data.load` asks
 * for the training split; the host hands out the training and validation parts), and what goes
 * back is plain data: run events, the trained model's artifacts, function outputs, quiz answers.
 * Everything learner code can do here — patch globals, post forged messages — changes at most
 * what it sends, and the host checks and grades that itself.
 */
import { backendOrder, chooseBackend, NoBackendError, type BackendTrial } from '@cv-lab/runtime';
import { BackendLost, watchBackend, type BackendHealth } from './backend-health';
import { withSeededRandom, outsideSeed } from '../shared/seed';
import { labDatasetFromSplits } from '../datasets/tensors';
import { serializeModel } from '../models/artifacts';
import { memoryTrustStore } from '../models/registry';
import { compileLearnerModule, describeLearnerError, LearnerError } from './compile';
import { createLab } from './create-lab';
import type { LearnerErrorInfo, RunEvent } from './events';
import type { TF } from '../shared/tf';
import {
  defineMonitor,
  newMonitorContext,
  returnedModelSummary,
  setMonitorContext,
  type MonitorContext,
} from './monitor';
import type {
  HandedOutData,
  HostLink,
  HostMessage,
  SandboxJob,
  SandboxRequest,
  SandboxResult,
} from './protocol';
import { installTrainingCounter } from './training-count';
import type { DataParallelTraining } from '@cv-lab/runtime/data-parallel';
import { decodeArgument, toPlainResult } from './wire';

export interface SandboxEnvironment {
  /** The sandbox's own tfjs, with its backends registered. */
  tf: TF;
  /**
   * Splits each WASM training step of an unseeded run across this many workers
   * (packages/runtime/src/data-parallel): installs the split and returns it. Absent where the
   * sandbox has no shared memory or one core. A seeded run trains on one, so its weights are the
   * same bytes on any machine.
   */
  trainAcrossWorkers?: {
    workers: number;
    install(onNotice: (message: string) => void): DataParallelTraining;
  };
}

/**
 * Serves one job on `link`: waits for `start`, runs it, sends `end`. `crashed` ends the job with an
 * error thrown where the run could not catch it (a learner's timer), with its line.
 */
export function serveSandbox(link: HostLink, env: SandboxEnvironment): { crashed(error: unknown): void } {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let started = false;
  const ask = (request: SandboxRequest): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      link.send({ type: 'request', id, request });
    });
  link.onMessage((message: HostMessage) => {
    if (message.type === 'reply') {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (!waiting) return;
      if (message.error !== undefined) waiting.reject(new Error(message.error));
      else waiting.resolve(message.value);
      return;
    }
    if (message.type === 'start' && !started) {
      started = true;
      kind = message.job.kind;
      void runJob(message.job, env, link, ask).then(end);
    }
  });
  let kind: SandboxJob['kind'] = 'train';
  let ended = false;
  const end = (result: SandboxResult) => {
    if (ended) return;
    ended = true;
    link.send({ type: 'end', result });
  };
  return {
    crashed(error) {
      const info = describeLearnerError(error, 'runtime');
      link.send({ type: 'event', event: { type: 'error', error: info } });
      end({ kind, ok: false, error: info, history: [], backend: 'none' });
    },
  };
}

type Ask = (request: SandboxRequest) => Promise<unknown>;

async function runJob(
  job: SandboxJob,
  env: SandboxEnvironment,
  link: HostLink,
  ask: Ask,
): Promise<SandboxResult> {
  const { tf } = env;
  // Events leave the run outside its seed: how many there are depends on timing (shared/seed.ts).
  const emit = (event: RunEvent) => outsideSeed(() => link.send({ type: 'event', event }));
  let backend = 'none';
  const fail = (error: LearnerErrorInfo, monitor?: MonitorContext): SandboxResult => {
    emit({ type: 'error', error });
    return { kind: job.kind, ok: false, error, history: monitor?.history ?? [], backend };
  };
  try {
    if (job.kind === 'quiz') return await quizJob(job, tf, emit, fail);
    // The backends in the host's order (measured speed, a pinned one first). One that breaks during
    // the run is dropped and the job starts again on the next (backend-health.ts).
    const startedAt = Date.now();
    let remaining = backendOrder(job.backend, job.candidateBackends);
    const tried: BackendTrial[] = [];
    for (;;) {
      emit({ type: 'phase', phase: 'backend', message: 'Choosing a backend' });
      try {
        const choice = await chooseBackend(tf, 'auto', remaining);
        backend = choice.backend;
        tried.push(...choice.tried);
        emit({ type: 'backend', backend, tried: [...tried] });
        for (const trial of choice.tried.filter((t) => !t.ok)) {
          emit({ type: 'log', level: 'warn', message: `Backend ${trial.backend} skipped: ${trial.reason}` });
        }
      } catch (error) {
        const failed = error instanceof NoBackendError ? error.tried : [];
        emit({ type: 'backend', backend: 'none', tried: [...tried, ...failed] });
        return fail({ kind: 'internal', message: (error as Error).message });
      }
      remaining = remaining.slice(remaining.indexOf(backend as never) + 1);
      const health = watchBackend(tf, backend as never, job.backendFault);
      try {
        return job.kind === 'train'
          ? await trainJob(job, env, backend, emit, ask, fail, health, startedAt)
          : await casesJob(job, tf, backend, emit, fail, health);
      } catch (error) {
        if (!(error instanceof BackendLost)) throw error;
        tried.push({ backend, ok: false, reason: `dropped during the run: ${error.message}` });
        const next = remaining[0];
        const message = `${error.message[0].toUpperCase()}${error.message.slice(1)}`;
        if (!next)
          return fail({ kind: 'internal', message: `${message}; no other backend is left to run on` });
        emit({ type: 'log', level: 'warn', message: `${message}; continuing on ${next}` });
      }
    }
  } catch (error) {
    return fail(describeLearnerError(error, 'runtime'));
  }
}

const modules = (tf: TF) => ({ '@tensorflow/tfjs': tf, 'cv-lab': {} });

type Fail = (error: LearnerErrorInfo, monitor?: MonitorContext) => SandboxResult;

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

async function trainJob(
  job: Extract<SandboxJob, { kind: 'train' }>,
  env: SandboxEnvironment,
  backend: string,
  emit: (event: RunEvent) => void,
  ask: Ask,
  fail: Fail,
  health: BackendHealth,
  startedAt: number,
): Promise<SandboxResult> {
  const { tf } = env;
  const counter = installTrainingCounter(tf);
  const Monitor = monitorClassFor(tf);
  emit({ type: 'phase', phase: 'compile', message: 'Compiling your code' });
  let train: (lab: unknown) => unknown;
  let threshold: number | undefined;
  try {
    const module = compileLearnerModule(job.code, modules(tf));
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

  // Train inside a tensor scope so data the learner forgot to dispose is freed after the run
  // (variables, and so the model's weights, survive a scope).
  // A restart on another backend keeps the run's time limit, counted from its first start.
  const monitor = newMonitorContext(emit, job.timeLimitSeconds, startedAt, job.rules ?? []);
  setMonitorContext(monitor);
  const lab = createLab({
    tf,
    backend,
    exercise: { id: job.exerciseId, timeLimitSeconds: job.timeLimitSeconds },
    emit,
    loadData: async (datasetId, options) => {
      const data = (await ask({ kind: 'data', datasetId, options })) as HandedOutData;
      return labDatasetFromSplits(tf, data);
    },
    modelReader: (modelId) => async (path) =>
      (await ask({ kind: 'model-file', modelId, path })) as Uint8Array,
    modelTrust: memoryTrustStore(),
    newMonitor: () => new Monitor(),
    monitor,
  });
  emit({ type: 'phase', phase: 'train', message: 'Running your train(lab)' });
  if (job.seed !== undefined) {
    emit({
      type: 'log',
      level: 'info',
      message: `Seed ${job.seed}: initial weights, dropout and shuffling are drawn from it, so this run can be repeated`,
    });
  }
  const parallel = splitAcrossWorkers(env, job.seed, backend, emit);
  const trainStarted = Date.now();
  let returned: unknown;
  health.armFault();
  tf.engine().startScope();
  try {
    returned = await withSeededRandom(job.seed, () => train(lab));
  } catch (error) {
    parallel?.end();
    tf.engine().endScope();
    setMonitorContext(null);
    const lost = health.lossFrom(error) ?? (await backendFault(health));
    if (lost) throw lost;
    return fail(describeLearnerError(error, 'runtime'), monitor);
  }
  parallel?.end();
  tf.engine().endScope();
  setMonitorContext(null);
  const trainSeconds = (Date.now() - trainStarted) / 1000;
  // A NaN loss, or a model from a backend that now disagrees with the CPU, is the backend's doing
  // when the probe fails again: the run restarts on the next backend.
  const broken = await backendFault(health);
  if (broken) {
    disposeQuietly(returned);
    throw broken;
  }

  if (monitor.stopReason === 'nan') {
    if (returned instanceof tf.LayersModel) returned.dispose();
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
  try {
    // Each fit logged the summary as it started; log the returned model's unless it is that one.
    const { text: modelSummary, logged } = returnedModelSummary(model, monitor);
    if (!logged) emit({ type: 'log', level: 'info', message: modelSummary });
    let artifacts;
    try {
      artifacts = await serializeModel(tf, model);
    } catch (error) {
      const lost = health.lossFrom(error);
      if (lost) throw lost;
      return fail(
        {
          kind: 'contract',
          message: `The trained model cannot be handed to the grader: ${(error as Error).message}`,
        },
        monitor,
      );
    }
    return {
      kind: 'train',
      ok: true,
      model: artifacts,
      history: monitor.history,
      count: {
        fitEpochs: monitor.epochsTrained,
        imagesSeen: monitor.imagesSeen + counter.batchImages,
        optimizerSteps: counter.optimizerSteps,
        stepsOutsideFit: counter.stepsOutsideFit,
        stoppedByCallback: monitor.stoppedByCallback,
        monitorStop: monitor.stopReason,
      },
      backend,
      modelSummary,
      ...(threshold !== undefined ? { threshold } : {}),
      trainSeconds,
    };
  } finally {
    model.dispose();
  }
}

/**
 * Installs the data-parallel split for an unseeded WASM run where the sandbox offers workers, and
 * says so in the log; `end` puts tfjs's train function back and logs how many steps were split.
 */
function splitAcrossWorkers(
  env: SandboxEnvironment,
  seed: number | undefined,
  backend: string,
  emit: (event: RunEvent) => void,
): { end(): void } | null {
  const offer = env.trainAcrossWorkers;
  if (!offer || backend !== 'wasm') return null;
  const log = (message: string) => emit({ type: 'log', level: 'info', message });
  if (seed !== undefined) {
    log(
      `Training on one WASM worker of ${offer.workers}: a seeded run gives the same weights on any machine`,
    );
    return null;
  }
  const split = offer.install(log);
  log(`Training steps are split across ${offer.workers} WASM workers, one per core`);
  return {
    end() {
      split.uninstall();
      const { split: shared, whole } = split.counts();
      if (shared + whole > 0)
        log(`${shared} of ${shared + whole} training steps were split across ${offer.workers} workers`);
    },
  };
}

/** Function exercises: call the learner's exports on the host's inputs; the host compares. */
async function casesJob(
  job: Extract<SandboxJob, { kind: 'cases' }>,
  tf: TF,
  backend: string,
  emit: (event: RunEvent) => void,
  fail: Fail,
  health: BackendHealth,
): Promise<SandboxResult> {
  emit({ type: 'phase', phase: 'compile', message: 'Compiling your code' });
  let learner: Record<string, unknown>;
  try {
    learner = compileLearnerModule(job.code, modules(tf));
  } catch (error) {
    return fail(describeLearnerError(error, 'compile'));
  }
  emit({ type: 'phase', phase: 'grade', message: 'Checking your answers on the hidden cases' });
  const outputs: ({ value: unknown } | { error: string; line?: number })[] = [];
  health.armFault();
  for (const { call, args } of job.calls) {
    const fn = learner[call];
    if (typeof fn !== 'function') {
      outputs.push({ error: `your module does not export a function \`${call}\`` });
      continue;
    }
    tf.engine().startScope();
    try {
      const value = await (fn as (...a: unknown[]) => unknown)(...args.map((a) => decodeArgument(tf, a)));
      outputs.push({ value: await toPlainResult(tf, value) });
    } catch (error) {
      const lost = health.lossFrom(error);
      if (lost) throw lost;
      const info = describeLearnerError(error);
      outputs.push({ error: info.message, ...(info.line ? { line: info.line } : {}) });
    } finally {
      tf.engine().endScope();
    }
  }
  const broken = await backendFault(health);
  if (broken) throw broken;
  return { kind: 'cases', ok: true, outputs: outputs as never, backend };
}

/** Quizzes: the module's `answers`, as plain data. */
async function quizJob(
  job: Extract<SandboxJob, { kind: 'quiz' }>,
  tf: TF,
  emit: (event: RunEvent) => void,
  fail: Fail,
): Promise<SandboxResult> {
  emit({ type: 'phase', phase: 'compile', message: 'Compiling your code' });
  try {
    const learner = compileLearnerModule(job.code, modules(tf));
    emit({ type: 'phase', phase: 'grade', message: 'Checking your answers on the hidden cases' });
    return { kind: 'quiz', ok: true, answers: (await toPlainResult(tf, learner.answers ?? {})) as never };
  } catch (error) {
    return fail(describeLearnerError(error, 'compile'));
  }
}

/** The backend's failure when its probe no longer agrees with the CPU backend; null while it does. */
async function backendFault(health: BackendHealth): Promise<BackendLost | null> {
  const reason = await health.check();
  return reason === null ? null : new BackendLost(reason);
}

function disposeQuietly(value: unknown): void {
  try {
    (value as { dispose?: () => void } | null)?.dispose?.();
  } catch {
    // a lost device may refuse even this
  }
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

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  return `a ${typeof value}`;
}
