/**
 * The run on screen: one at a time for the whole app, so leaving an exercise page does not lose
 * a run in progress. Events from the worker are buffered and applied at most once per
 * `flushIntervalMs`, in an animation frame, which keeps the page smooth when batches arrive faster
 * than it can paint: thousands of batch events a minute make a few updates a second (issue 13,
 * item 3; tests/e2e/responsiveness.test.ts).
 */
import { create } from 'zustand';
import type { ExerciseCard } from '../../core/exercises/schema';
import type { RunEvent } from '../../core/sandbox/events';
import type { BackendPreference } from '../../core/sandbox/run-types';
import { LabRunner, watchdogGraceSeconds, type RunEnd } from '../run/lab-runner';
import { prefetchSandboxMaterial } from '../run/sandbox-frame';
import { applyRunEvents, idleRunView, startedRunView, type RunView } from '../run/run-view';
import type { LabRunOutcome } from '../../worker/contract';
import { resultRunOf } from '../storage/results';
import { useHintsStore } from './hints-store';
import { useResultsStore } from './results-store';
import { backendFaultFromUrl, orderForRun } from './backend-speed-store';

/** The last graded run as it came back: what "Export submission" packs up. */
export interface FinishedRun {
  bundle: ExerciseCard;
  /** The code exactly as trained. */
  code: string;
  /** With the trained model's artifacts (`outcome.model`). */
  outcome: LabRunOutcome;
}

export interface RunState extends RunView {
  /** Learner model summary from the outcome, shown in the log. */
  modelSummary: string | null;
  /** The last run that ended with a report, until the next run starts; null otherwise. */
  finishedRun: FinishedRun | null;
  /**
   * Runs `code`; `seed` makes the run repeatable (`RunRequest.seed`), none draws afresh; `exam`:
   * opened from an exam-mode set (a quiz is recorded for the lead, not graded here).
   */
  start(
    bundle: ExerciseCard,
    code: string,
    backend: BackendPreference,
    seed?: number,
    exam?: boolean,
  ): Promise<void>;
  /** Stops the run; `reason` replaces "the run was ended by you" in the log. */
  stop(reason?: string): void;
  /** Starts a worker early and fetches the sandbox's files (on opening an exercise) so Run answers quickly. */
  warm(): void;
}

const runner = new LabRunner(undefined, undefined, orderForRun);

/** Measures the backends again with the run's lab worker (Settings); refused during a run. */
export function backendSpeedSource() {
  return runner.speedSource();
}

/** The least time between two updates of the run on screen: figures read at a glance, not per batch. */
export const flushIntervalMs = 250;

export const useRunStore = create<RunState>()((set, get) => {
  let pending: RunEvent[] = [];
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastFlush = -Infinity;

  const flush = (): void => {
    frame = null;
    if (pending.length === 0) return;
    const events = pending;
    pending = [];
    lastFlush = performance.now();
    set((state) => applyRunEvents(state, events, lastFlush));
  };

  const cancelFlush = (): void => {
    if (timer !== null) clearTimeout(timer);
    if (frame !== null) cancelAnimationFrame(frame);
    timer = null;
    frame = null;
  };

  const enqueue = (event: RunEvent): void => {
    pending.push(event);
    if (frame !== null || timer !== null) return;
    const wait = lastFlush + flushIntervalMs - performance.now();
    if (wait <= 0) {
      frame = requestAnimationFrame(flush);
      return;
    }
    timer = setTimeout(() => {
      timer = null;
      frame = requestAnimationFrame(flush);
    }, wait);
  };

  /** `hintsUsed`: the hints revealed when the run started, recorded in its report. */
  let current: { bundle: ExerciseCard; code: string; hintsUsed?: number } | null = null;

  const finish = (end: RunEnd): void => {
    cancelFlush();
    flush();
    const state = get();
    const at = performance.now();
    const logLine = (level: 'info' | 'warn' | 'error', message: string) => ({
      level,
      message,
      at: at - state.startedAt,
    });
    switch (end.type) {
      case 'finished': {
        const outcome = withHintsUsed(end.outcome, current?.hintsUsed);
        const log = [...state.log];
        // The core logs the summary itself; add it only where it did not.
        if (outcome.modelSummary && !log.some((line) => line.message === outcome.modelSummary)) {
          log.push(logLine('info', outcome.modelSummary));
        }
        const report = outcome.report ?? state.report;
        const error = report
          ? null
          : (outcome.error ??
            state.error ?? { kind: 'internal' as const, message: 'The run ended without a report.' });
        if (error && !state.error) log.push(logLine('error', error.message));
        if (report)
          log.push(
            logLine(
              'info',
              report.gradedByLead
                ? 'Handed in: your team lead grades it'
                : `Graded: ${report.passed ? 'passed' : 'failed'}, score ${report.score}`,
            ),
          );
        set({
          status: report ? 'graded' : 'error',
          report,
          error,
          log,
          modelSummary: outcome.modelSummary ?? null,
          endedAt: at,
          progress: null,
          finishedRun: report && current ? { ...current, outcome } : null,
        });
        // The code and history go with the stored report, so the run can be exported after a reload.
        if (report && state.exerciseId) {
          const run = current && resultRunOf(current.code, outcome, report);
          void useResultsStore.getState().record(state.exerciseId, report, run ?? undefined);
        }
        break;
      }
      case 'stopped':
        set({
          status: 'stopped',
          endedAt: at,
          progress: null,
          log: [...state.log, logLine('warn', `Stopped: ${end.reason ?? 'the run was ended by you.'}`)],
        });
        break;
      case 'timeout': {
        const message = `Stopped after ${end.limitSeconds} s: the run went past the exercise's time limit and did not stop by itself (is the code stuck in a loop?).`;
        set({
          status: 'timeout',
          endedAt: at,
          progress: null,
          error: { kind: 'time', message },
          log: [...state.log, logLine('error', message)],
        });
        break;
      }
      case 'crashed': {
        const message = `The lab worker stopped unexpectedly: ${end.message}`;
        set({
          status: 'error',
          endedAt: at,
          progress: null,
          error: { kind: 'internal', message },
          log: [...state.log, logLine('error', message)],
        });
        break;
      }
    }
  };

  return {
    ...idleRunView,
    modelSummary: null,
    finishedRun: null,
    warm: () => {
      runner.warm();
      prefetchSandboxMaterial();
    },
    stop: (reason) => runner.stop(reason),
    async start(bundle, code, backend, seed, exam) {
      if (runner.isRunning) return;
      cancelFlush();
      pending = [];
      current = {
        bundle,
        code,
        // An exam shows no hints, so its reports count none.
        ...(bundle.hasHints && !exam
          ? { hintsUsed: useHintsStore.getState().revealed[bundle.exercise.id] ?? 0 }
          : {}),
      };
      set({
        ...startedRunView(bundle.exercise.id, performance.now()),
        modelSummary: null,
        finishedRun: null,
      });
      const limit = bundle.exercise.limits.timeSeconds;
      const backendFault = backendFaultFromUrl(location.href);
      const end = await runner.run(
        {
          bundle,
          code,
          backend,
          timeLimitSeconds: limit,
          ...(seed !== undefined ? { seed } : {}),
          ...(exam ? { exam } : {}),
          ...(backendFault ? { backendFault } : {}),
        },
        enqueue,
        limit + watchdogGraceSeconds,
      );
      finish(end);
    },
  };
});

/** The outcome with the hints the learner had revealed written into its report (none: as it is). */
function withHintsUsed(outcome: LabRunOutcome, hintsUsed: number | undefined): LabRunOutcome {
  if (hintsUsed === undefined || !outcome.report || outcome.report.gradedByLead) return outcome;
  return { ...outcome, report: { ...outcome.report, hintsUsed } };
}
