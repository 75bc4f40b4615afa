/**
 * The learner's sets: imported from a file or a link, kept in IndexedDB (../storage/teams-db.ts)
 * with the best graded attempt per exercise and the exam clocks. A clock is kept by set id with the
 * content hash of the copy it started with, and outlives its set: no re-import restarts an exam or
 * gives Run back after one (`examView`).
 *
 * Exams end on time wherever the learner is in the app: when the clocks are loaded, each running
 * exam gets a timer that, at the deadline, records the end and stops a run of that set still in
 * progress (terminating the worker, like Stop). What was submitted before stays recorded.
 */
import { create } from 'zustand';
import type { Report } from '../../core/exercises/schema';
import { decodeSetLink, learnerCopy, parseSet, setHash, type CvSet } from '../../core/exercises/set';
import { describeStorageError } from '../storage/storage-error';
import { resultRunOf } from '../storage/results';
import { useRunStore, type FinishedRun } from '../stores/run-store';
import { freeSetId, sameSet } from './set-conflict';
import { examView, isBetterReport } from './set-progress';
import {
  deleteSet,
  loadAttempts,
  loadExamClocks,
  loadSets,
  resetTeamsDb,
  saveAttempt,
  saveExamClock,
  saveSet,
  type ExamClock,
  type SetAttempt,
} from '../storage/teams-db';

/**
 * What opening a set did: kept it (new, or the same as the one held), or found a different set
 * under its id, which stays untouched until the learner chooses (`keepOpened`).
 */
export type OpenedSet = { kind: 'kept'; set: CvSet } | { kind: 'conflict'; existing: CvSet; incoming: CvSet };

/** Keeping both puts the opened set under a new id; replacing is the learner's deliberate choice. */
export type ConflictChoice = 'keep-both' | 'replace';

export interface ImportedSet {
  set: CvSet;
  importedAt: string;
  /** The set's content hash (`setHash`): exam clocks and submissions name the copy by it. */
  hash: string;
}

/** A run started from a set's exercise page, so the exam's end can stop it. */
export interface SetRun {
  setId: string;
  exerciseId: string;
}

export interface SetsState {
  sets: Record<string, ImportedSet>;
  /** Best attempt by `setId/exerciseId`. */
  attempts: Record<string, SetAttempt>;
  /** Exam clocks by set id, also of sets since removed: an exam taken stays on record. */
  exams: Record<string, ExamClock>;
  loaded: boolean;
  error: string | null;
  activeRun: SetRun | null;
  load(): Promise<void>;
  /** Deletes a damaged sets database and loads afresh (drafts and results are elsewhere and stay). */
  reset(): Promise<void>;
  /**
   * Parses and keeps the learner copy, unless a different set holds its id (then nothing is
   * written: see `OpenedSet`); throws a FormatError.
   */
  importText(text: string): Promise<OpenedSet>;
  importLink(url: string): Promise<OpenedSet>;
  /** Keeps a set `importText`/`importLink` found in conflict, as the learner chose; resolves with it. */
  keepOpened(incoming: CvSet, choice: ConflictChoice): Promise<CvSet>;
  remove(setId: string): Promise<void>;
  startExam(setId: string): Promise<void>;
  endExam(setId: string): Promise<void>;
  setActiveRun(run: SetRun | null): void;
  /** Records a graded run; returns why it was not recorded (the exam is over), else null. */
  recordRun(setId: string, run: FinishedRun): Promise<string | null>;
}

export const attemptKey = (setId: string, exerciseId: string) => `${setId}/${exerciseId}`;

const examTimers = new Map<string, ReturnType<typeof setTimeout>>();

export const useSetsStore = create<SetsState>()((set, get) => {
  const scheduleExamEnd = (clock: ExamClock) => {
    clearTimeout(examTimers.get(clock.setId));
    const imported = get().sets[clock.setId];
    if (!imported) return;
    const view = examView(imported.set, clock, Date.now(), imported.hash);
    if (view.phase !== 'running' || view.deadline === null) return;
    // setTimeout holds at most ~24.8 days; exams last at most a day.
    examTimers.set(
      clock.setId,
      setTimeout(() => void get().endExam(clock.setId), view.deadline - Date.now() + 50),
    );
  };

  const keep = async (copy: CvSet) => {
    const imported = { set: copy, importedAt: new Date().toISOString(), hash: await setHash(copy) };
    set({ sets: { ...get().sets, [copy.id]: imported } });
    // A running exam of this id (the set removed and opened again) goes on ending on time.
    const clock = get().exams[copy.id];
    if (clock) scheduleExamEnd(clock);
    try {
      await saveSet(copy);
    } catch (error) {
      set({ error: describeStorageError(error, 'keep this set') });
    }
    return copy;
  };

  const open = async (parsed: CvSet): Promise<OpenedSet> => {
    await get().load(); // the comparison needs the sets held
    const incoming = learnerCopy(parsed);
    const existing = get().sets[incoming.id]?.set;
    if (existing && !sameSet(existing, incoming)) return { kind: 'conflict', existing, incoming };
    return { kind: 'kept', set: existing ?? (await keep(incoming)) };
  };

  return {
    sets: {},
    attempts: {},
    exams: {},
    loaded: false,
    error: null,
    activeRun: null,
    async load() {
      if (get().loaded) return;
      try {
        const [sets, attempts, exams] = await Promise.all([loadSets(), loadAttempts(), loadExamClocks()]);
        const hashes = await Promise.all(sets.map((s) => setHash(s.set)));
        set({
          sets: Object.fromEntries(
            sets.map((s, i) => [s.id, { set: s.set, importedAt: s.importedAt, hash: hashes[i] }]),
          ),
          attempts: Object.fromEntries(attempts.map((a) => [attemptKey(a.setId, a.exerciseId), a])),
          exams: Object.fromEntries(exams.map((e) => [e.setId, e])),
          loaded: true,
        });
        exams.forEach(scheduleExamEnd);
      } catch (error) {
        set({ loaded: true, error: describeStorageError(error, 'read your sets') });
      }
    },
    async reset() {
      try {
        await resetTeamsDb();
        set({ error: null, sets: {}, attempts: {}, exams: {} });
        await get().load();
      } catch (error) {
        set({ error: describeStorageError(error, 'start the sets database afresh') });
      }
    },
    async importText(text) {
      return open(await parseSet(text));
    },
    async importLink(url) {
      return open(await decodeSetLink(url));
    },
    async keepOpened(incoming, choice) {
      if (choice === 'replace') return keep(incoming);
      const id = freeSetId(incoming.id, (candidate) => candidate in get().sets);
      return keep({ ...incoming, id });
    },
    async remove(setId) {
      clearTimeout(examTimers.get(setId));
      const { [setId]: _removed, ...sets } = get().sets;
      const attempts = Object.fromEntries(
        Object.entries(get().attempts).filter(([, a]) => a.setId !== setId),
      );
      // The exam clock stays (see `exams`).
      set({ sets, attempts });
      try {
        await deleteSet(setId);
      } catch (error) {
        set({ error: describeStorageError(error, 'remove this set') });
      }
    },
    async startExam(setId) {
      // One exam per set id: a clock on record (even of a removed set or another copy) stays.
      const imported = get().sets[setId];
      if (get().exams[setId] || !imported?.set.exam?.enabled) return;
      const clock: ExamClock = {
        setId,
        setHash: imported.hash,
        minutes: imported.set.exam.minutes,
        startedAt: new Date().toISOString(),
      };
      set({ exams: { ...get().exams, [setId]: clock } });
      scheduleExamEnd(clock);
      try {
        await saveExamClock(clock);
      } catch (error) {
        set({ error: describeStorageError(error, 'save the exam clock') });
      }
    },
    async endExam(setId) {
      clearTimeout(examTimers.get(setId));
      const clock = get().exams[setId];
      if (!clock || clock.endedAt) return;
      const imported = get().sets[setId];
      const deadline = imported ? examView(imported.set, clock, Date.now(), imported.hash).deadline : null;
      const endedAt = new Date(Math.min(Date.now(), deadline ?? Date.now())).toISOString();
      const ended = { ...clock, endedAt };
      set({ exams: { ...get().exams, [setId]: ended } });
      const active = get().activeRun;
      if (active?.setId === setId)
        useRunStore.getState().stop("the exam's time is up; what you submitted is kept.");
      try {
        await saveExamClock(ended);
      } catch (error) {
        set({ error: describeStorageError(error, 'save the end of the exam') });
      }
    },
    setActiveRun(run) {
      set({ activeRun: run });
    },
    async recordRun(setId, run) {
      const imported = get().sets[setId];
      const report = run.outcome.report;
      if (!imported || !report) return 'This run has no report to record.';
      const view = examView(imported.set, get().exams[setId], Date.now(), imported.hash);
      if (view.phase === 'over') return 'The exam is over: this run was not recorded.';
      if (view.phase === 'not-started') return 'Start the exam to record runs.';
      const key = attemptKey(setId, run.bundle.exercise.id);
      const best = get().attempts[key];
      if (!isBetterReport(report, best?.report)) return null;
      const attempt = attemptFromRun(setId, run, report);
      set({ attempts: { ...get().attempts, [key]: attempt } });
      try {
        await saveAttempt(attempt);
      } catch (error) {
        set({ error: describeStorageError(error, 'record this run') });
      }
      return null;
    },
  };
});

export function attemptFromRun(setId: string, run: FinishedRun, report: Report): SetAttempt {
  // The same code, history (finite figures only) and environment as the exercise's stored result.
  const { code, history, environment } = resultRunOf(run.code, run.outcome, report);
  return {
    setId,
    exerciseId: run.bundle.exercise.id,
    code,
    report,
    history,
    environment,
    ...(run.outcome.model ? { model: run.outcome.model } : {}),
    submittedAt: new Date().toISOString(),
  };
}
