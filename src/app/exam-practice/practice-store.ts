/**
 * The exam practice as this browser keeps it: its clock (an exam clock in the sets database, so it
 * survives reloads and backups like a set's exam) and the best attempt per task graded while it
 * ran. Starting a practice again (after one is over) starts a fresh clock, forgets the attempts
 * and hides the tasks' hints again, so each practice counts its own hints.
 */
import { create } from 'zustand';
import type { Report } from '../../core/exercises/schema';
import { describeStorageError } from '../storage/storage-error';
import {
  deleteSet,
  loadAttempts,
  loadExamClocks,
  saveAttempt,
  saveExamClock,
  type ExamClock,
  type SetAttempt,
} from '../storage/teams-db';
import type { FinishedRun } from '../stores/run-store';
import { useHintsStore } from '../stores/hints-store';
import { attemptFromRun } from '../teams/sets-store';
import { isBetterPracticeReport, PRACTICE_ID, PRACTICE_MINUTES, practiceView } from './practice';

export interface PracticeState {
  clock: ExamClock | undefined;
  /** Best attempt by task id, graded while the practice ran. */
  attempts: Record<string, SetAttempt>;
  loaded: boolean;
  error: string | null;
  load(): Promise<void>;
  /** Starts the clock; a practice still running is left as it is. */
  start(taskIds: readonly string[]): Promise<void>;
  finish(): Promise<void>;
  /** Keeps a graded run of a task when the practice runs and it beats the best attempt. */
  recordRun(run: FinishedRun): Promise<void>;
}

export const usePracticeStore = create<PracticeState>()((set, get) => ({
  clock: undefined,
  attempts: {},
  loaded: false,
  error: null,
  async load() {
    if (get().loaded) return;
    try {
      const [clocks, attempts] = await Promise.all([loadExamClocks(), loadAttempts()]);
      set({
        clock: clocks.find((c) => c.setId === PRACTICE_ID),
        attempts: Object.fromEntries(
          attempts.filter((a) => a.setId === PRACTICE_ID).map((a) => [a.exerciseId, a]),
        ),
        loaded: true,
      });
    } catch (error) {
      set({ loaded: true, error: describeStorageError(error, 'read your exam practice') });
    }
  },
  async start(taskIds) {
    await get().load();
    if (practiceView(get().clock, Date.now()).phase === 'running') return;
    const clock: ExamClock = {
      setId: PRACTICE_ID,
      minutes: PRACTICE_MINUTES,
      startedAt: new Date().toISOString(),
    };
    useHintsStore.getState().reset(taskIds);
    set({ clock, attempts: {} });
    try {
      await deleteSet(PRACTICE_ID); // the last practice's attempts
      await saveExamClock(clock);
    } catch (error) {
      set({ error: describeStorageError(error, 'save the practice clock') });
    }
  },
  async finish() {
    const clock = get().clock;
    if (!clock || practiceView(clock, Date.now()).phase !== 'running') return;
    const ended = { ...clock, endedAt: new Date().toISOString() };
    set({ clock: ended });
    try {
      await saveExamClock(ended);
    } catch (error) {
      set({ error: describeStorageError(error, 'save the end of the practice') });
    }
  },
  async recordRun(run) {
    await get().load();
    const report: Report | undefined = run.outcome.report;
    if (!report?.band) return;
    const phase = practiceView(get().clock, Date.now()).phase;
    if (phase !== 'running') return;
    const exerciseId = run.bundle.exercise.id;
    if (!isBetterPracticeReport(report, get().attempts[exerciseId]?.report)) return;
    const attempt = attemptFromRun(PRACTICE_ID, run, report);
    set({ attempts: { ...get().attempts, [exerciseId]: attempt } });
    try {
      await saveAttempt(attempt);
    } catch (error) {
      set({ error: describeStorageError(error, 'record this run in the practice') });
    }
  },
}));
