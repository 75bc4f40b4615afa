/**
 * Runs one exercise run (`runExercise`: dataset loading, the learner's training, grading) in a
 * Node `worker_threads` thread, so that the CLI can always stop it — the page does the same with
 * a Web Worker. Learner code stuck in `while (true) {}` never lets a callback or a timer run in its
 * own thread; only `worker.terminate()` from the main thread ends it.
 *
 * The watchdog, kept on the main thread, works by phase (the run's own `phase` events). Once the
 * learner's module is being compiled, the run gets its time limit plus a grace
 * (`watchdogGraceSeconds`), so that a run that can still stop itself (the training monitor at the
 * limit, `run.ts`'s own race) does so and is graded. Grading a trained model gets a fresh budget
 * of its own (`gradingBudgetSeconds`): the limit is on training, and a big model grades slowly on
 * a CPU. Before any learner code, loading tfjs in the thread has `THREAD_START_SECONDS`.
 * Everything the thread sends is plain data: run events (streamed as they happen) and the
 * outcome, with the trained model's artifacts when asked for. The thread's stdout (learner
 * `console.log`) goes to stderr by default, so a report on stdout stays machine-readable.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { totalmem } from 'node:os';
import type { RunEvent } from '../core/sandbox/events';
import type { RunOutcome } from '../core/sandbox/run-types';
import type { ExerciseBundle, Exercise } from '../core/exercises/schema';
import type { ModelArtifactsJson } from '../core/models/artifacts';
import { describeLearnerError } from '../core/sandbox/compile';
import type { LearnerErrorInfo } from '../core/sandbox/events';
import type { NodeBackendName } from './node-backend';

/** What the thread runs: sent once as its `workerData`. */
export interface LearnerThreadRequest {
  bundle: ExerciseBundle;
  /** The learner's TypeScript module. */
  code: string;
  backend: NodeBackendName;
  /** The time limit in seconds the run enforces (the exercise's, or a lower one). */
  timeLimitSeconds: number;
  /** Send the trained model's artifacts back with the outcome (for a submission file). */
  keepModel?: boolean;
  /** Seed for what tfjs draws at random (`RunRequest.seed`): the run can be repeated. */
  seed?: number;
}

/** What the thread posts to the main thread, in order: events, then one outcome. */
export type LearnerThreadMessage =
  | { type: 'event'; event: RunEvent }
  | { type: 'outcome'; outcome: RunOutcome; model?: ModelArtifactsJson; modelError?: string };

/** How a run in the thread ended. */
export type LearnerThreadEnd =
  /** The run returned an outcome: passed, failed, or a learner error `runExercise` described. */
  | { type: 'finished'; outcome: RunOutcome; model?: ModelArtifactsJson; modelError?: string }
  /** The watchdog terminated the thread. */
  | { type: 'timeout'; phase: WatchdogPhase; budgetSeconds: number; graceSeconds: number }
  /** The thread died without an outcome: an uncaught error, out of memory, or it exited. */
  | { type: 'crashed'; phase: WatchdogPhase; error: LearnerErrorInfo; outOfMemory: boolean };

/**
 * `start`: the thread loads tfjs and starts its backend (no learner code yet); `run`: from the
 * learner's module being evaluated up to grading; `grade`: grading a trained model.
 */
export type WatchdogPhase = 'start' | 'run' | 'grade';

/** Seconds a thread may take to load tfjs and start its backend before learner code runs. */
export const THREAD_START_SECONDS = 120;

export interface LearnerThreadOptions {
  /** Receives every run event as the thread sends it (progress, epochs, the report). */
  onEvent?: (event: RunEvent) => void;
  /** Where the thread's stdout goes (learner `console.log`); stderr by default, to keep stdout for reports. */
  onStdout?: (chunk: string) => void;
  /** Overrides `learnerThreadResourceLimits()`. */
  resourceLimits?: ResourceLimits;
}

/**
 * Seconds the watchdog waits after the time limit before it terminates the thread: at least 10 s
 * (a batch in progress ends, the model returns), and for real limits 60 s, the page's own
 * watchdog grace — more than `run.ts`'s 30 s, so a run that can still stop itself does so.
 */
export function watchdogGraceSeconds(timeLimitSeconds: number): number {
  return Math.min(60, Math.max(10, timeLimitSeconds));
}

/**
 * Seconds grading a trained model may take before the watchdog stops it: as long as the training
 * budget, and at least 5 minutes (10 000 test images through a CNN on a CPU take minutes).
 * Only training exercises have such a phase; a function exercise's "grading" is learner code.
 */
export function gradingBudgetSeconds(timeLimitSeconds: number): number {
  return Math.max(300, timeLimitSeconds);
}

/**
 * The thread's memory cap. Only the JavaScript heap can be capped (typed arrays and WASM memory,
 * where tensors live, are outside it): 4 GB, or a quarter of the machine's memory when less, so
 * a runaway `array.push` in learner code ends the thread instead of exhausting the machine.
 */
export function learnerThreadResourceLimits(): ResourceLimits {
  const quarterOfMemoryMb = Math.floor(totalmem() / 4 / 2 ** 20);
  return { maxOldGenerationSizeMb: Math.max(512, Math.min(4096, quarterOfMemoryMb)) };
}

/**
 * Runs `request` in a fresh thread and resolves with how it ended; never rejects for anything
 * learner code does. The thread is always terminated before this resolves.
 */
export function runInLearnerThread(
  request: LearnerThreadRequest,
  options: LearnerThreadOptions = {},
): Promise<LearnerThreadEnd> {
  const resourceLimits = options.resourceLimits ?? learnerThreadResourceLimits();
  const worker = new Worker(new URL(bootstrapSource()), {
    workerData: request,
    resourceLimits,
    stdout: true,
    name: `cv-lab learner (${request.bundle.exercise.id})`,
  });
  const writeStdout = options.onStdout ?? ((chunk: string) => process.stderr.write(chunk));
  worker.stdout.setEncoding('utf8');
  worker.stdout.on('data', writeStdout);

  return new Promise<LearnerThreadEnd>((resolve) => {
    let ended = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current: WatchdogPhase = 'start';
    const end = (result: LearnerThreadEnd) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      // A finished thread may still hold tfjs's handles; a stuck one must be stopped. Either way
      // it is gone before the caller goes on.
      void worker.terminate().then(() => resolve(result));
    };
    const arm = (phase: WatchdogPhase) => {
      clearTimeout(timer);
      current = phase;
      const budgetSeconds = watchdogBudgetSeconds(request.bundle.exercise, request.timeLimitSeconds, phase);
      const graceSeconds = phase === 'run' ? watchdogGraceSeconds(request.timeLimitSeconds) : 0;
      timer = setTimeout(
        () => end({ type: 'timeout', phase, budgetSeconds, graceSeconds }),
        (budgetSeconds + graceSeconds) * 1000,
      );
    };
    arm('start');

    worker.on('message', (message: LearnerThreadMessage) => {
      if (ended) return;
      if (message.type === 'event') {
        const { event } = message;
        // The limit counts from the learner's module on (as run.ts counts it from training).
        if (event.type === 'phase' && event.phase === 'compile') arm('run');
        if (event.type === 'phase' && event.phase === 'grade' && request.bundle.exercise.kind === 'train') {
          arm('grade');
        }
        options.onEvent?.(event);
      } else {
        const { outcome, model, modelError } = message;
        end({
          type: 'finished',
          outcome,
          ...(model ? { model } : {}),
          ...(modelError ? { modelError } : {}),
        });
      }
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      end({
        type: 'crashed',
        phase: current,
        outOfMemory,
        error: outOfMemory
          ? { kind: 'runtime', message: `out of memory (${resourceLimits.maxOldGenerationSizeMb} MB heap)` }
          : describeLearnerError(error, 'runtime'),
      });
    });
    worker.on('exit', (code) => {
      end({
        type: 'crashed',
        phase: current,
        outOfMemory: false,
        error: { kind: 'runtime', message: `the run's thread exited (code ${code}) before it finished` },
      });
    });
  });
}

/**
 * Seconds of a phase before the grace: the start-up allowance, the time limit for the run, the
 * grading budget for a trained model's grading.
 */
export function watchdogBudgetSeconds(
  exercise: Pick<Exercise, 'kind'>,
  timeLimitSeconds: number,
  phase: WatchdogPhase,
): number {
  if (phase === 'start') return THREAD_START_SECONDS;
  return phase === 'grade' && exercise.kind === 'train'
    ? gradingBudgetSeconds(timeLimitSeconds)
    : timeLimitSeconds;
}

/**
 * Where the time limit came from, for messages: `the exercise's limit`, or the option that
 * lowered it.
 */
export type LimitSource = "the exercise's limit" | '--time-limit';

/**
 * The time limit a run gets: the exercise's, or a lower `--time-limit` (it can only lower it, so
 * a lead cannot grade a learner with more time than the exercise gives).
 */
export function effectiveTimeLimit(
  exerciseSeconds: number,
  requestedSeconds: number | undefined,
): { seconds: number; source: LimitSource; ignored: boolean } {
  if (requestedSeconds === undefined)
    return { seconds: exerciseSeconds, source: "the exercise's limit", ignored: false };
  if (requestedSeconds >= exerciseSeconds) {
    return {
      seconds: exerciseSeconds,
      source: "the exercise's limit",
      ignored: requestedSeconds > exerciseSeconds,
    };
  }
  return { seconds: requestedSeconds, source: '--time-limit', ignored: false };
}

/**
 * One line that says why a run in the thread produced no outcome, naming the exercise and the
 * limit. `finished` ends have their own messages (the outcome's error or report).
 */
export function describeThreadStop(
  end: Exclude<LearnerThreadEnd, { type: 'finished' }>,
  exerciseId: string,
  limitSource: LimitSource = "the exercise's limit",
): string {
  if (end.type === 'timeout') {
    if (end.phase === 'start') {
      return `the run of ${exerciseId} did not start within ${end.budgetSeconds} s (loading tfjs); it was stopped`;
    }
    if (end.phase === 'grade') {
      return (
        `grading ${exerciseId} did not finish within ${end.budgetSeconds} s after training; it was stopped — ` +
        'does the model run code of yours that never returns (a custom layer)?'
      );
    }
    return (
      `learner code for ${exerciseId} did not return within ${end.budgetSeconds} s (${limitSource}); ` +
      `it was stopped ${end.graceSeconds} s later — an endless loop?`
    );
  }
  if (end.phase === 'start') {
    return `the run of ${exerciseId} failed before any learner code ran: ${end.error.message}`;
  }
  if (end.outOfMemory) {
    return (
      `learner code for ${exerciseId} ran out of memory: ${end.error.message}; it was stopped — ` +
      'does it keep every array or tensor it makes?'
    );
  }
  const where = end.error.line
    ? ` at line ${end.error.line}${end.error.column ? `:${end.error.column}` : ''}`
    : '';
  return `learner code for ${exerciseId} crashed its thread${where}: ${end.error.message}`;
}

/**
 * The outcome a run that ended in the thread stands for: the run's own when it finished, else a
 * failed one with the stop described (for callers that tally outcomes, like `verify`).
 */
export function outcomeOf(end: LearnerThreadEnd, exerciseId: string, limitSource?: LimitSource): RunOutcome {
  if (end.type === 'finished') return end.outcome;
  return {
    ok: false,
    error: {
      kind: end.type === 'timeout' ? 'time' : end.error.kind,
      message: describeThreadStop(end, exerciseId, limitSource),
    },
    history: [],
    backend: 'none',
  };
}

/**
 * The thread's first module, as a `data:` URL: the CLI is TypeScript run through tsx, and tsx's
 * hooks, registered in the main thread by bin/cv-lab.js, do not reach a new thread (nor does
 * `execArgv: ['--import', 'tsx']` on Node 20), so the thread registers them itself before it
 * imports the TypeScript entry. Both are absolute URLs, so this works from any working directory.
 */
function bootstrapSource(): string {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./learner-thread-entry.ts', import.meta.url).href;
  const source =
    `import { register } from ${JSON.stringify(tsxApi)};\n` +
    `register();\n` +
    `await import(${JSON.stringify(entry)});\n`;
  return `data:text/javascript,${encodeURIComponent(source)}`;
}
