/**
 * What a report's score means, in one place: the grader writes it (grading/grade.ts), exams add it
 * up (set.ts `examScore`) and the page and CLI print it. The formula is in docs/grading.md.
 *
 * A report passes when every check passes, and then scores 100. A failing report scores at most
 * `FAILED_SCORE_MAX`, so a score above it always means a pass, whatever table it is read in.
 *
 * Exercises with `bands` also get a score of 1 to 5 (`bandScore`): how well the model did, in the
 * exam's terms, beside pass or fail.
 */
import type { Bands } from './schema';

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

/** A band's score and where the figure fell, as the grader writes it into a report (`band`). */
export interface BandResult {
  /** 1 to 5. */
  score: number;
  metric: Bands['metric'];
  split: Bands['split'];
  value: number;
  /** The threshold this score starts at (absent for score 1). */
  from?: number;
  /** The threshold of the next score (absent for score 5). */
  to?: number;
}

/**
 * The 1-to-5 score of a figure on an exercise's bands: 1 below the first threshold, then one more
 * for each threshold reached. A missing or non-finite figure (a split the run did not report)
 * scores 1.
 */
export function bandScore(bands: Bands, value: number | undefined): BandResult {
  const figure = value !== undefined && Number.isFinite(value) ? value : Number.NaN;
  const reached = Number.isNaN(figure) ? 0 : bands.scores.filter((threshold) => figure >= threshold).length;
  const from = reached > 0 ? bands.scores[reached - 1] : undefined;
  const to = reached < bands.scores.length ? bands.scores[reached] : undefined;
  return {
    score: reached + 1,
    metric: bands.metric,
    split: bands.split,
    value: Number.isNaN(figure) ? 0 : figure,
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
  };
}

const bandFigure = (value: number) => value.toFixed(2);

/** "score 4 of 5: accuracy 0.912, band 0.90–0.93" (the report, the CLI, the exam practice page). */
export function describeBand(band: BandResult): string {
  const range =
    band.from === undefined
      ? `below ${bandFigure(band.to!)}`
      : band.to === undefined
        ? `${bandFigure(band.from)} or more`
        : `${bandFigure(band.from)}–${bandFigure(band.to)}`;
  const split = band.split === 'test' ? '' : ` (${band.split})`;
  return `score ${band.score} of 5: ${band.metric}${split} ${band.value.toFixed(3)}, band ${range}`;
}

/** "1 below 0.80 · 2 from 0.80 · 3 from 0.85 · 4 from 0.88 · 5 from 0.90" (the brief and card). */
export function describeBands(bands: Bands): string {
  const split = bands.split === 'test' ? 'test split' : `${bands.split} split`;
  const steps = bands.scores.map((threshold, i) => `${i + 2} from ${bandFigure(threshold)}`);
  return `${bands.metric} on the ${split}: 1 below ${bandFigure(bands.scores[0])} · ${steps.join(' · ')}`;
}

/** "2 hints used" / "no hints used": shown beside a band score. */
export function describeHintsUsed(count: number | undefined): string {
  if (!count) return 'no hints used';
  return `${count} hint${count === 1 ? '' : 's'} used`;
}
