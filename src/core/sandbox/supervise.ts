/**
 * The host's side of the run protocol (protocol.ts): one supervised run, from the learner's code to
 * a graded report, the same in the page's trusted worker and in the CLI's main process.
 *
 *   open a sandbox → start the job → serve its requests (training data, model files) while events
 *   stream → watchdog by phase → the sandbox's result (plain data) → close the sandbox →
 *   grade it here: the model on the test split, the functions' outputs against the reference
 *
 * The host never runs learner code and never lets the test split, a private test, the hidden
 * cases' expected values or the reference solution cross into the sandbox. Every figure a grade
 * depends on is computed here: test metrics, validation metrics (on the validation images the host
 * handed out), epochs (from what the sandbox counted, not from `fit`'s callbacks alone).
 */
import type * as tfType from '@tensorflow/tfjs';
import { loadDataset } from '../datasets/load';
import { loadOnce } from '../datasets/load-once';
import { imageBytes } from '../datasets/manifest';
import { gatherSplit, labSplitOrder, splitTensors, toTestTensors } from '../datasets/tensors';
import type { DatasetFileReader, LoadedDataset, RawSplit } from '../datasets/types';
import type { Check, ExerciseBundle, ExerciseCard, Report } from '../exercises/schema';
import { evaluateFigures, gradeModel, withFailedCheck } from '../grading/grade';
import { deserializeModel, assertGradableTopology, type ModelArtifactsJson } from '../models/artifacts';
import { loadPretrainedBases, type ModelFileReader } from '../models/registry';
import { errorMessage } from '../shared/errors';
import type { LearnerErrorInfo, RunEvent, RunEventSink } from './events';
import type { TF } from '../shared/tf';
import {
  parseSandboxMessage,
  type DataRequest,
  type HandedOutData,
  type SandboxChannel,
  type SandboxJob,
  type SandboxRequest,
  type SandboxResult,
} from './protocol';
import { gradeQuiz, gradingKeyOf, recordQuiz, reportCases, type GradingKey } from './run-cases';
import type { BackendName, RunOutcome, RunRequest } from './run-types';
import type { HistoryEntry } from '../exercises/submission';
import {
  stopError,
  watchdogBudgetSeconds,
  watchdogGraceSeconds,
  type LimitSource,
  type SandboxStop,
  type WatchdogPhase,
} from './watchdog';

export interface HostEnvironment {
  /** The host's own tfjs, for grading. */
  tf: TF;
  /** Reads a prepared dataset's files (page: fetch and caches; CLI: fs). */
  datasetReader(datasetId: string): DatasetFileReader;
  /** Reads a pretrained model's files for `lab.models.load`; absent: none available. */
  modelReader?(modelId: string): ModelFileReader;
  onEvent: RunEventSink;
  /** Backends the sandbox may try, in order of preference. */
  candidateBackends: BackendName[];
  /** The data to grade on; by default the test split of the exercise's dataset. */
  testData?(): Promise<LoadedDataset>;
  /** Called with the graded model (and its artifacts) before it is disposed: keep it, save it. */
  onTrainedModel?(model: tfType.LayersModel, artifacts: ModelArtifactsJson): Promise<void>;
  /** Where the time limit came from, for the watchdog's message. */
  limitSource?: LimitSource;
  /**
   * Runs the grading of a trained model; the page's lab worker retries it on its next backend when
   * its own breaks (a lost GPU device), so no grade comes from a broken backend. Default: as is.
   */
  gradeWith?<T>(grade: () => Promise<T>): Promise<T>;
}

export interface SupervisedOutcome extends RunOutcome {
  /** The trained model's artifacts, as graded (training exercises). */
  model?: ModelArtifactsJson;
  /** How the sandbox ended when it gave no result (a timeout, a crash, a malformed message, Stop). */
  stop?: SandboxStop;
}

/** A run in progress: its outcome, and a Stop that closes the sandbox at once. */
export interface SupervisedRun {
  outcome: Promise<SupervisedOutcome>;
  stop(): void;
}

export function superviseRun(
  request: RunRequest,
  openSandbox: () => SandboxChannel,
  host: HostEnvironment,
): SupervisedRun {
  let stopRequested: (() => void) | null = null;
  let stopped = false;
  const outcome = runSupervised(request, openSandbox, host, (stop) => {
    stopRequested = stop;
    if (stopped) stop();
  });
  return {
    outcome,
    stop() {
      stopped = true;
      stopRequested?.();
    },
  };
}

async function runSupervised(
  request: RunRequest,
  openSandbox: () => SandboxChannel,
  host: HostEnvironment,
  onStoppable: (stop: () => void) => void,
): Promise<SupervisedOutcome> {
  const { bundle } = request;
  const { exercise } = bundle;
  const timeLimitSeconds = request.timeLimitSeconds ?? exercise.limits.timeSeconds;
  const emit = host.onEvent;
  const fail = (error: LearnerErrorInfo, extra: Partial<SupervisedOutcome> = {}): SupervisedOutcome => {
    emit({ type: 'error', error });
    return { ok: false, error, history: [], backend: 'none', ...extra };
  };

  let key: GradingKey;
  try {
    key = request.gradingKey ?? (await gradingKeyOf(host.tf, asWholeBundle(bundle)));
  } catch (error) {
    return fail({
      kind: 'internal',
      message: errorMessage(error),
      hint: 'The exercise itself failed: report it.',
    });
  }
  let job: SandboxJob;
  if (exercise.kind === 'quiz') {
    job = { kind: 'quiz', code: request.code };
  } else if (exercise.kind === 'function') {
    if (key.kind !== 'cases')
      return fail({ kind: 'internal', message: `no hidden cases for ${exercise.id}` });
    job = {
      kind: 'cases',
      code: request.code,
      functions: exercise.functions ?? [],
      calls: key.prepared.calls,
      backend: request.backend,
      candidateBackends: candidateOrder(request, host),
      ...(request.backendFault ? { backendFault: request.backendFault } : {}),
    };
  } else {
    if (!exercise.dataset) {
      return fail({ kind: 'contract', message: `Exercise ${exercise.id} names no dataset to grade on` });
    }
    job = {
      kind: 'train',
      code: request.code,
      exerciseId: exercise.id,
      timeLimitSeconds,
      rules: exercise.rules,
      backend: request.backend,
      candidateBackends: candidateOrder(request, host),
      ...(request.backendFault ? { backendFault: request.backendFault } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
    };
  }

  const handedOut = new HandOutLedger(exercise.limits.trainImages);
  const started = Date.now();
  const ended = await exchange(job, openSandbox, host, timeLimitSeconds, onStoppable, (req) =>
    serveRequest(req, request, host, handedOut),
  );
  if ('stop' in ended) {
    const error = stopError(ended.stop, exercise.id, host.limitSource);
    return fail(error, { stop: ended.stop });
  }
  const result = ended.result;
  if (!result.ok) {
    // The sandbox has already streamed its error event.
    return { ok: false, error: result.error, history: result.history, backend: result.backend };
  }

  try {
    let report: Report;
    let history: HistoryEntry[] = [];
    let model: ModelArtifactsJson | undefined;
    let modelSummary: string | undefined;
    switch (result.kind) {
      case 'quiz':
        if (key.kind === 'quiz') report = await gradeQuiz(exercise, key.quiz, result.answers, request.code);
        else if (key.kind === 'quizRecorded') report = await recordQuiz(exercise, request.code);
        else throw new Error(`no answers to grade ${exercise.id} with`);
        break;
      case 'cases':
        if (key.kind !== 'cases') throw new Error(`no hidden cases for ${exercise.id}`);
        report = await reportCases({
          exercise,
          prepared: key.prepared,
          outputs: result.outputs as never,
          code: request.code,
          backend: result.backend,
          seconds: (Date.now() - started) / 1000,
        });
        break;
      case 'train': {
        emit({ type: 'phase', phase: 'grade', message: 'Grading on the test split' });
        history = result.history;
        model = result.model;
        modelSummary = result.modelSummary;
        const grade = () => gradeTrained(result, request, host, handedOut);
        const graded = await (host.gradeWith ? host.gradeWith(grade) : grade());
        if ('error' in graded) return fail(graded.error, { history, backend: result.backend });
        report = graded.report;
        break;
      }
    }
    if (result.kind === 'train' && result.count.monitorStop === 'time') {
      report = withFailedCheck(report, timeLimitCheck(timeLimitSeconds));
      emit({ type: 'warning', code: 'time', message: timeLimitCheck(timeLimitSeconds).detail });
    }
    emit({ type: 'report', report });
    // An exam's quiz is not graded here (report.gradedByLead): say what the report view says.
    const verdict = report.gradedByLead ? 'Handed in' : report.passed ? 'Passed' : 'Not passed yet';
    emit({ type: 'phase', phase: 'done', message: verdict });
    return {
      ok: true,
      report,
      history,
      backend: 'backend' in result ? result.backend : 'none',
      ...(modelSummary ? { modelSummary } : {}),
      ...(model ? { model } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
    };
  } catch (error) {
    const message = errorMessage(error);
    return fail({
      kind: /dataset|shard|manifest/i.test(message) ? 'data' : 'internal',
      message,
    });
  }
}

/** The run's measured order of backends, where it has one, limited to those the host offers. */
function candidateOrder(request: RunRequest, host: HostEnvironment): BackendName[] {
  const ordered = request.backendOrder?.filter((b) => host.candidateBackends.includes(b)) ?? [];
  return ordered.length ? ordered : host.candidateBackends;
}

/** Runs the job in a fresh sandbox and returns its result, or how it stopped without one. */
function exchange(
  job: SandboxJob,
  openSandbox: () => SandboxChannel,
  host: HostEnvironment,
  timeLimitSeconds: number,
  onStoppable: (stop: () => void) => void,
  serve: (request: SandboxRequest) => Promise<{ value: HandedOutData | Uint8Array; transfer: ArrayBuffer[] }>,
): Promise<{ result: SandboxResult } | { stop: SandboxStop }> {
  return new Promise((resolve) => {
    let channel: SandboxChannel;
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let phase: WatchdogPhase = 'start';
    const finish = (value: { result: SandboxResult } | { stop: SandboxStop }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      channel?.close();
      resolve(value);
    };
    const arm = (next: WatchdogPhase) => {
      clearTimeout(timer);
      phase = next;
      const budgetSeconds = watchdogBudgetSeconds(timeLimitSeconds, next);
      const graceSeconds = next === 'run' ? watchdogGraceSeconds(timeLimitSeconds) : 0;
      timer = setTimeout(
        () => finish({ stop: { type: 'timeout', phase: next, budgetSeconds, graceSeconds } }),
        (budgetSeconds + graceSeconds) * 1000,
      );
    };
    onStoppable(() => finish({ stop: { type: 'stopped' } }));
    try {
      channel = openSandbox();
    } catch (error) {
      finish({ stop: { type: 'crashed', phase: 'start', message: errorMessage(error), outOfMemory: false } });
      return;
    }
    arm('start');
    channel.onExit((reason, outOfMemory) =>
      finish({ stop: { type: 'crashed', phase, message: reason, outOfMemory } }),
    );
    let received = 0;
    channel.onMessage((raw) => {
      if (done) return;
      if (++received > MAX_MESSAGES) {
        finish({
          stop: {
            type: 'protocol',
            message: `the sandbox sent more than ${MAX_MESSAGES.toLocaleString('en-US')} messages`,
          },
        });
        return;
      }
      const parsed = parseSandboxMessage(raw);
      if ('problem' in parsed) {
        finish({ stop: { type: 'protocol', message: parsed.problem } });
        return;
      }
      const message = parsed.message;
      switch (message.type) {
        case 'event':
          // The limit counts from the learner's module on.
          if (message.event.type === 'phase' && message.event.phase === 'compile' && phase === 'start') {
            arm('run');
          }
          if (isRelayed(message.event)) host.onEvent(message.event);
          return;
        case 'request':
          serve(message.request).then(
            ({ value, transfer }) =>
              !done && channel.send({ type: 'reply', id: message.id, value }, transfer),
            (error) => !done && channel.send({ type: 'reply', id: message.id, error: errorMessage(error) }),
          );
          return;
        case 'end':
          finish({ result: message.result });
          return;
      }
    });
    channel.send({ type: 'start', job });
  });
}

/**
 * The most messages one run may send: a long run sends one per batch (a few tens of thousands), so
 * more is a flood, not training.
 */
const MAX_MESSAGES = 500_000;
/** The most times one run may ask for data, or for a pretrained model's file. */
const MAX_DATA_REQUESTS = 32;
const MAX_FILE_REQUESTS = 1000;

/** Events the host takes from the sandbox; reports and the final phase come from the host alone. */
function isRelayed(event: RunEvent): boolean {
  if (event.type === 'report') return false;
  if (event.type === 'phase' && (event.phase === 'done' || event.phase === 'grade')) {
    return event.message === 'Checking your answers on the hidden cases';
  }
  return true;
}

/** What the host handed out to the sandbox: the validation part to evaluate, and how many images. */
class HandOutLedger {
  /** The validation part of the last `lab.data.load`, as the host holds it. */
  validation: RawSplit | null = null;
  imageShape: [number, number, number] | null = null;
  classCount = 0;
  /** Training images (not validation) of the largest load, for counting epochs. */
  trainCount = 0;
  /** Every image handed out (`dataset:index`), over all loads, for `limits.trainImages`. */
  private readonly given = new Set<string>();
  /** Requests served so far, bounded (a sandbox that asks in a loop is refused, not served). */
  dataRequests = 0;
  fileRequests = 0;

  constructor(private readonly maxImages: number | undefined) {}

  /** Records a load and throws if it would hand out more images than the exercise allows. */
  record(datasetId: string, order: { train: Uint32Array; validation: Uint32Array }): void {
    if (this.maxImages !== undefined) {
      const union = new Set(this.given);
      for (const i of order.train) union.add(`${datasetId}:${i}`);
      for (const i of order.validation) union.add(`${datasetId}:${i}`);
      if (union.size > this.maxImages) {
        throw new Error(
          `this exercise allows at most ${this.maxImages} labelled images (training and validation together); ` +
            `this load would make ${union.size}: pass { limit: ${this.maxImages} } to lab.data.load`,
        );
      }
      for (const i of union) this.given.add(i);
    }
    this.trainCount = Math.max(this.trainCount, order.train.length);
  }
}

async function serveRequest(
  request: SandboxRequest,
  run: RunRequest,
  host: HostEnvironment,
  ledger: HandOutLedger,
): Promise<{ value: HandedOutData | Uint8Array; transfer: ArrayBuffer[] }> {
  if (request.kind === 'model-file') {
    if (++ledger.fileRequests > MAX_FILE_REQUESTS) {
      throw new Error(`a run may read at most ${MAX_FILE_REQUESTS} files of pretrained models`);
    }
    if (!host.modelReader) throw new Error('no pretrained models are available in this environment');
    const bytes = await host.modelReader(request.modelId)(request.path);
    const copy = bytes.slice();
    return { value: copy, transfer: [copy.buffer as ArrayBuffer] };
  }
  if (++ledger.dataRequests > MAX_DATA_REQUESTS) {
    throw new Error(`lab.data.load may be called at most ${MAX_DATA_REQUESTS} times in a run`);
  }
  const data = await handOut(request, run, host, ledger);
  const transfer = [data.train.images.buffer, data.train.labels.buffer] as ArrayBuffer[];
  if (data.validation)
    transfer.push(data.validation.images.buffer as ArrayBuffer, data.validation.labels.buffer as ArrayBuffer);
  return { value: data, transfer };
}

/**
 * `lab.data.load` on the host: a prepared dataset's training split (any dataset: the learner may
 * train on their own imports), split and limited as asked. Test splits never leave the host.
 */
async function handOut(
  request: DataRequest,
  run: RunRequest,
  host: HostEnvironment,
  ledger: HandOutLedger,
): Promise<HandedOutData> {
  const { exercise } = run.bundle;
  const dataset = await loadOnce(`${request.datasetId}:train`, () =>
    loadDataset(host.datasetReader(request.datasetId), {
      splits: ['train'],
      onProgress: (p) =>
        host.onEvent({
          type: 'progress',
          label: `Loading ${request.datasetId} (train)`,
          loaded: p.loaded,
          total: p.total,
        }),
    }),
  );
  const raw = dataset.splits.train;
  if (!raw) throw new Error(`the train split of '${request.datasetId}' was not loaded`);
  const order = labSplitOrder(raw.count, request.options);
  ledger.record(request.datasetId, order);
  const perImage = imageBytes(dataset.manifest);
  const validation = order.validation.length ? gatherSplit(raw, perImage, order.validation) : null;
  // The validation figures the grader reads are those of the exercise's own dataset.
  if (request.datasetId === exercise.dataset) {
    ledger.validation = validation;
    ledger.imageShape = dataset.manifest.imageShape;
    ledger.classCount = dataset.manifest.classNames.length;
  }
  return {
    classNames: [...dataset.manifest.classNames],
    imageShape: [...dataset.manifest.imageShape],
    train: gatherSplit(raw, perImage, order.train),
    // A copy crosses (its buffer is transferred); the ledger keeps its own.
    validation: validation
      ? { ...validation, images: validation.images.slice(), labels: validation.labels.slice() }
      : null,
  };
}

/** Grades a trained model's artifacts on the host's test data. */
async function gradeTrained(
  result: Extract<SandboxResult, { kind: 'train'; ok: true }>,
  request: RunRequest,
  host: HostEnvironment,
  ledger: HandOutLedger,
): Promise<{ report: Report } | { error: LearnerErrorInfo }> {
  const { tf } = host;
  const { exercise } = request.bundle;
  try {
    assertGradableTopology(result.model);
  } catch (error) {
    return { error: { kind: 'contract', message: errorMessage(error) } };
  }
  let model: tfType.LayersModel;
  try {
    // A frozen published graph base travels as its registry id: load it here, checked, first.
    await loadPretrainedBases(tf, result.model.modelTopology, host.modelReader?.bind(host));
    model = await deserializeModel(tf, result.model);
  } catch (error) {
    return {
      error: { kind: 'contract', message: `The trained model cannot be rebuilt: ${errorMessage(error)}` },
    };
  }
  try {
    const dataset = await (host.testData?.() ??
      loadOnce(`${exercise.dataset}:test`, () =>
        loadDataset(host.datasetReader(exercise.dataset!), {
          splits: ['test'],
          onProgress: (p) =>
            host.onEvent({
              type: 'progress',
              label: `Loading ${exercise.dataset} (test)`,
              loaded: p.loaded,
              total: p.total,
            }),
        }),
      ));
    const numClasses = dataset.manifest.classNames.length;
    const validationMetrics = await validationFigures(tf, model, ledger, numClasses, result.threshold);
    const trainMetrics = lastTrainingFigures(result.history);
    const test = toTestTensors(tf, dataset);
    let report: Report;
    try {
      report = await gradeModel(tf, model, {
        exercise,
        test,
        classNames: dataset.manifest.classNames,
        epochs: countedEpochs(result.count, ledger.trainCount),
        history: result.history,
        threshold: result.threshold,
        validationMetrics,
        trainMetrics,
        trainSeconds: result.trainSeconds,
        backend: result.backend,
        datasetHash: dataset.hash,
        trainingFacts: {
          stoppedByCallback: result.count.stoppedByCallback,
          stepsOutsideFit: result.count.stepsOutsideFit,
        },
      });
    } finally {
      tf.dispose(test.xs);
    }
    await host.onTrainedModel?.(model, result.model);
    return { report };
  } finally {
    model.dispose();
  }
}

/**
 * Epochs as the rules count them: `fit`'s epochs, or full passes over the training images the
 * host handed out (images through `fit` and `trainOnBatch`), whichever is more.
 */
export function countedEpochs(count: { fitEpochs: number; imagesSeen: number }, trainImages: number): number {
  const passes = trainImages > 0 ? Math.floor(count.imagesSeen / trainImages + 1e-9) : 0;
  return Math.max(count.fitEpochs, passes);
}

/** The model's figures on the validation part the host handed out; none when none was. */
async function validationFigures(
  tf: TF,
  model: tfType.LayersModel,
  ledger: HandOutLedger,
  numClasses: number,
  threshold: number | undefined,
): Promise<Record<string, number> | undefined> {
  if (!ledger.validation || !ledger.imageShape || ledger.classCount !== numClasses) return undefined;
  const split = splitTensors(tf, ledger.validation, ledger.imageShape);
  try {
    return await evaluateFigures(tf, model, split, numClasses, threshold);
  } catch {
    // A model that does not fit the images fails the grader's own checks; no figures here.
    return undefined;
  } finally {
    split.xs.dispose();
  }
}

/** The last epoch's training figures (not `val_`), from the run's history. */
function lastTrainingFigures(history: HistoryEntry[]): Record<string, number> | undefined {
  const last = history.at(-1)?.logs;
  if (!last) return undefined;
  const train: Record<string, number> = {};
  for (const [key, value] of Object.entries(last)) if (!key.startsWith('val_')) train[key] = value;
  return Object.keys(train).length ? train : undefined;
}

function timeLimitCheck(seconds: number): Check {
  return {
    id: 'limit:time',
    label: 'Training finished within the time limit',
    passed: false,
    detail: `Training was stopped at the time limit of ${seconds} s; the model was graded as it was then`,
  };
}

/**
 * A request without a grading key must carry the whole exercise folder (the CLI's and the tests'
 * runs); the page's worker always loads the key itself, as its cards hold no solutions.
 */
function asWholeBundle(bundle: ExerciseCard): ExerciseBundle {
  if (bundle.exercise.kind !== 'train' && !('solution' in bundle)) {
    throw new Error(`${bundle.exercise.id}: a run of a card needs its grading key`);
  }
  return bundle as ExerciseBundle;
}
