/**
 * What a report's score means, in one place: the grader writes it (grading/grade.ts), exams add it
 * up (set.ts `examScore`) and the page and CLI print it. The formula is in docs/grading.md.
 *
 * A report passes when every check passes, and then scores 100. A failing report scores at most
 * `FAILED_SCORE_MAX`, so a score above it always means a pass, whatever table it is read in.
 */

/** The most a failing report can score: half marks. Only a pass scores above it (and scores 100). */
export const FAILED_SCORE_MAX = 50;

/** The score a pass gets. */
export const PASSED_SCORE = 100;

/**
 * The score to count and show for a graded result. A pass counts 100; a failure counts its score
 * capped at `FAILED_SCORE_MAX`, which also holds for a report graded before the cap existed (a
 * stored "failed, 94") or one a host failed after grading it (a run stopped at the time limit).
 */
export function countedScore(result: { passed: boolean; score: number }): number {
  const score = Number.isFinite(result.score) ? Math.max(0, Math.min(100, result.score)) : 0;
  return result.passed ? PASSED_SCORE : Math.min(FAILED_SCORE_MAX, score);
}
