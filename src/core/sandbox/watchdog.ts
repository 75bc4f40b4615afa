/**
 * The run's watchdog, by phase: how long the host lets a sandbox go before it closes it, and how it
 * says so. One policy for the page and the CLI (docs/architecture.md, "The run protocol").
 *
 * - `start`: the sandbox loads tfjs and starts its backend; no learner code yet.
 * - `run`: from the learner's module being compiled until the sandbox sends its result: the time
 *   limit plus a grace, so that a run the training monitor stops at the limit still hands its
 *   model over and is graded.
 *
 * Grading happens in the host, on the host's own code: it needs no watchdog, but a model's size is
 * bounded before it is graded (models/artifacts.ts).
 */
import type { LearnerErrorInfo } from './events';

export type WatchdogPhase = 'start' | 'run';

/** Seconds a sandbox may take to load tfjs and start its backend before learner code runs. */
export const SANDBOX_START_SECONDS = 120;

/**
 * Seconds the watchdog waits after the time limit before it closes the sandbox: at least 10 s (a
 * batch in progress ends, the model is handed over), and for real limits 60 s.
 */
export function watchdogGraceSeconds(timeLimitSeconds: number): number {
  return Math.min(60, Math.max(10, timeLimitSeconds));
}

/** Seconds of a phase before its grace. */
export function watchdogBudgetSeconds(timeLimitSeconds: number, phase: WatchdogPhase): number {
  return phase === 'start' ? SANDBOX_START_SECONDS : timeLimitSeconds;
}

/**
 * The time limit of a re-grade of a function exercise's or quiz's code: its hidden cases run in
 * milliseconds, so a minute (or the exercise's own limit, when lower) is ample, and a submission
 * that loops holds up the roster for two minutes at most (with the grace), not the exercise's limit.
 */
export const REGRADE_CODE_SECONDS = 60;

export function regradeTimeLimit(exerciseSeconds: number): number {
  return Math.min(exerciseSeconds, REGRADE_CODE_SECONDS);
}

/** Where the time limit came from, for messages: the exercise's, or the option that lowered it. */
export type LimitSource = "the exercise's limit" | '--time-limit';

/**
 * The time limit a run gets: the exercise's, or a lower one asked for (it can only lower it, so a
 * lead cannot grade a learner with more time than the exercise gives).
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

/** How a sandbox ended without a result. */
export type SandboxStop =
  | { type: 'timeout'; phase: WatchdogPhase; budgetSeconds: number; graceSeconds: number }
  | { type: 'crashed'; phase: WatchdogPhase; message: string; outOfMemory: boolean }
  | { type: 'protocol'; message: string }
  | { type: 'stopped' };

/** One sentence that says why a run produced no result, naming the exercise and the limit. */
export function describeSandboxStop(
  stop: SandboxStop,
  exerciseId: string,
  limitSource: LimitSource = "the exercise's limit",
): string {
  switch (stop.type) {
    case 'stopped':
      return 'Stopped';
    case 'protocol':
      return `the run of ${exerciseId} was stopped: ${stop.message}`;
    case 'timeout':
      if (stop.phase === 'start') {
        return `the run of ${exerciseId} did not start within ${stop.budgetSeconds} s (loading tfjs); it was stopped`;
      }
      return (
        `learner code for ${exerciseId} did not return within ${stop.budgetSeconds} s (${limitSource}); ` +
        `it was stopped ${stop.graceSeconds} s later — an endless loop?`
      );
    case 'crashed':
      if (stop.phase === 'start') {
        return `the run of ${exerciseId} failed before any learner code ran: ${stop.message}`;
      }
      if (stop.outOfMemory) {
        return (
          `learner code for ${exerciseId} ran out of memory: ${stop.message}; it was stopped — ` +
          'does it keep every array or tensor it makes?'
        );
      }
      return `learner code for ${exerciseId} crashed its sandbox: ${stop.message}`;
  }
}

/** The error a stop stands for in a run's outcome. */
export function stopError(
  stop: SandboxStop,
  exerciseId: string,
  limitSource?: LimitSource,
): LearnerErrorInfo {
  const message = describeSandboxStop(stop, exerciseId, limitSource);
  switch (stop.type) {
    case 'stopped':
      return { kind: 'stopped', message };
    case 'timeout':
      return {
        kind: 'time',
        message,
        hint: 'Train on fewer images (lab.data.load(id, { limit })) or for fewer epochs, or use a smaller model.',
      };
    case 'protocol':
      return { kind: 'internal', message };
    case 'crashed':
      return { kind: 'runtime', message };
  }
}
