/**
 * An exercise opened from a set (`#/set/<set>/exercise/<id>`): the exercise as the set asks for
 * it (targets and limits overridden), the exam's clock, and what the exercise page must change
 * (hints hidden in an exam, "Submit and test", no runs once the exam is over).
 */
import { useEffect, useState } from 'react';
import type { ExerciseCard } from '../../core/exercises/schema';
import { applySetOverrides, type CvSet } from '../../core/exercises/set';
import { findExercise } from '../catalog';
import { examView, type ExamView } from './set-progress';
import { submissionSetOf, type SubmissionSet } from './export-submission';
import { useSetsStore } from './sets-store';

export type SetExercise =
  | { state: 'loading' }
  | { state: 'missing'; message: string }
  | {
      state: 'ready';
      set: CvSet;
      /** What a submission of this set records: its copy (hash) and the exam's window. */
      submissionSet: SubmissionSet;
      bundle: ExerciseCard;
      exam: ExamView;
      /** Hints and solutions stay hidden for the whole of an exam-mode set. */
      hideHints: boolean;
      /** False before an exam starts and after it ends. */
      canRun: boolean;
      runLabel: string;
    };

/** Seconds tick for the clock; the store's own timer ends the exam on time. */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function useSetExercise(setId: string | undefined, exerciseId: string): SetExercise | null {
  const load = useSetsStore((s) => s.load);
  const loaded = useSetsStore((s) => s.loaded);
  const imported = useSetsStore((s) => (setId ? s.sets[setId] : undefined));
  const clock = useSetsStore((s) => (setId ? s.exams[setId] : undefined));
  // A clock on record makes it an exam whatever this copy of the set says (see `examView`).
  const examMode = Boolean(imported?.set.exam?.enabled || clock);
  const now = useNow(examMode && clock !== undefined && !clock.endedAt);

  useEffect(() => {
    if (setId) void load();
  }, [setId, load]);

  if (!setId) return null;
  if (!loaded) return { state: 'loading' };
  if (!imported) return { state: 'missing', message: `No set '${setId}' has been opened in this browser.` };
  const entry = imported.set.exercises.find((e) => e.id === exerciseId);
  if (!entry)
    return { state: 'missing', message: `The set '${imported.set.title}' has no exercise '${exerciseId}'.` };
  const bundle = findExercise(exerciseId);
  if (!bundle) return { state: 'missing', message: `This CV Lab has no exercise '${exerciseId}'.` };
  const exam = examView(imported.set, clock, now, imported.hash);
  return {
    state: 'ready',
    set: imported.set,
    submissionSet: submissionSetOf(imported.set, imported.hash, clock),
    bundle: applySetOverrides(bundle, entry),
    exam,
    hideHints: exam.phase !== 'none',
    canRun: exam.phase === 'none' || exam.phase === 'running',
    runLabel: exam.phase === 'none' ? '▶ Run' : '▶ Submit and test',
  };
}
