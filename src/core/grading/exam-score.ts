/**
 * The exam score per learner on the lead's side: `examScore` (exercises/set.ts) over the re-graded
 * rows of a roster, so the total counts what the lead's re-grade found, never the learner's own
 * report. One summary per learner; the roster's writers and page render it.
 */
import type { Exercise } from '../exercises/schema';
import { examScore, type CvSet, type ExamScore } from '../exercises/set';
import type { RosterRow } from './roster';

export interface LearnerExamScore {
  learner: string;
  /** Out of 100, from the re-graded reports; an exercise with no graded row counts 0. */
  score: ExamScore;
  /** The set's exercises this learner has no graded row for (missing, or an error row). */
  missing: string[];
  /**
   * Flags on the rows that counted, by exercise: the total is what the re-grade found, and these
   * say what the lead should weigh before trusting it (late, out-of-exam, similar-code...).
   */
  /** Flag codes: the re-grade's (`RegradeFlagCode`) and any a roster adds. */
  flagged: { exerciseId: string; codes: string[] }[];
}

/**
 * One exam summary per learner (in order of first appearance), for an exam-mode set; none when
 * the set is not an exam. Rows of exercises outside the set are ignored. With several rows for one
 * exercise, the best counts: a pass over a fail, then the higher score (as on the learner's page).
 */
export function learnerExamScores(
  rows: readonly RosterRow[],
  set: CvSet,
  exercises: readonly Pick<Exercise, 'id' | 'difficulty'>[],
): LearnerExamScore[] {
  if (!set.exam?.enabled) return [];
  const inSet = new Set(set.exercises.map((e) => e.id));
  const byLearner = new Map<string, Map<string, RosterRow>>();
  for (const row of rows) {
    if (!row.learner || !inSet.has(row.exerciseId)) continue;
    let best = byLearner.get(row.learner);
    if (!best) byLearner.set(row.learner, (best = new Map()));
    if (!row.report) continue;
    const held = best.get(row.exerciseId);
    if (!held?.report || better(row, held)) best.set(row.exerciseId, row);
  }
  return [...byLearner].map(([learner, best]) => {
    const results = Object.fromEntries([...best].map(([id, row]) => [id, row.report]));
    return {
      learner,
      score: examScore(results, set, exercises),
      missing: set.exercises.map((e) => e.id).filter((id) => !best.has(id)),
      flagged: [...best]
        .filter(([, row]) => row.flags.length)
        .map(([exerciseId, row]) => ({ exerciseId, codes: row.flags.map((f) => f.code) })),
    };
  });
}

function better(candidate: RosterRow, held: RosterRow): boolean {
  const a = candidate.report!;
  const b = held.report!;
  if (a.passed !== b.passed) return a.passed;
  return a.score > b.score;
}
