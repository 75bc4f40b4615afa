/**
 * The exam practice's rules, pure so they are tested in Node: which exercises are its tasks, where
 * its clock stands, which attempt counts and what the total is. Its clock is an exam clock
 * (teams/set-progress.ts `examView`), kept in the sets database under an id no set can have.
 */
import type { ExerciseCard, Report } from '../../core/exercises/schema';
import { DEFAULT_EXAM_WEIGHTS } from '../../core/exercises/set';
import { examView, type ExamClockLike, type ExamView } from '../teams/set-progress';

/** The clock's and attempts' key in the sets database: a colon, which no set id may contain. */
export const PRACTICE_ID = 'practice:exam';

/** One time box for the four tasks, as the exam gives one for all its tasks. */
export const PRACTICE_MINUTES = 120;

/** The most a task scores; the total is out of this times the number of tasks. */
export const TASK_SCORE_MAX = 5;

/** The practice's tasks: exam-category train exercises with scoring bands, in catalog order. */
export function practiceTasks(cards: readonly ExerciseCard[]): ExerciseCard[] {
  return cards.filter((c) => c.exercise.category === 'exam' && c.exercise.bands !== undefined);
}

/** Where the practice stands at `now`: not started, running (seconds left) or over. */
export function practiceView(clock: ExamClockLike | undefined, now: number): ExamView {
  return examView(
    { exam: { enabled: true, minutes: PRACTICE_MINUTES, weights: { ...DEFAULT_EXAM_WEIGHTS } } },
    clock,
    now,
  );
}

/** True when `candidate` beats `best`: a higher band score, then fewer hints, then the newer. */
export function isBetterPracticeReport(candidate: Report, best: Report | undefined): boolean {
  if (!best) return true;
  const score = (r: Report) => r.band?.score ?? 0;
  if (score(candidate) !== score(best)) return score(candidate) > score(best);
  return (candidate.hintsUsed ?? 0) <= (best.hintsUsed ?? 0);
}

export interface PracticeLine {
  exerciseId: string;
  /** 1 to 5 from the best report's band; 0 when nothing was handed in. */
  score: number;
  report?: Report;
}

/** Each task's score and the total out of `TASK_SCORE_MAX` × tasks. */
export function practiceTotal(
  taskIds: readonly string[],
  best: Readonly<Record<string, Report | undefined>>,
): { lines: PracticeLine[]; total: number; max: number } {
  const lines = taskIds.map((exerciseId) => {
    const report = best[exerciseId];
    return { exerciseId, score: report?.band?.score ?? 0, ...(report ? { report } : {}) };
  });
  return {
    lines,
    total: lines.reduce((sum, line) => sum + line.score, 0),
    max: taskIds.length * TASK_SCORE_MAX,
  };
}
