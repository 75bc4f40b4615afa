/**
 * Scoring bands (issue 14, item 1): the schema refuses thresholds that do not rise or leave [0, 1],
 * `bandScore` maps a figure to 1..5 at the thresholds, and the texts say the score, the figure and
 * the band it fell in. The exam tasks' own bands load, and their calibration figures agree with them.
 */
import { describe, expect, test } from 'vitest';
import { BandsSchema, ExerciseSchema, type Bands } from '../../../src/core/exercises/schema';
import { bandScore, describeBand, describeBands, describeHintsUsed } from '../../../src/core/exercises/score';
import { readCatalog } from '../../../src/cli/catalog';

const bands: Bands = { metric: 'accuracy', split: 'test', scores: [0.8, 0.85, 0.9, 0.93] };

const trainExercise = {
  id: 'exam-x',
  title: 'X',
  category: 'exam',
  difficulty: 'beginner',
  kind: 'train',
  dataset: 'fashion-mnist',
};

describe('bandScore', () => {
  test.each([
    [0.5, 1],
    [0.7999, 1],
    [0.8, 2],
    [0.849, 2],
    [0.85, 3],
    [0.912, 4],
    [0.93, 5],
    [1, 5],
  ])('%f scores %i', (value, score) => {
    expect(bandScore(bands, value).score).toBe(score);
  });

  test('says where the figure fell', () => {
    expect(bandScore(bands, 0.912)).toEqual({
      score: 4,
      metric: 'accuracy',
      split: 'test',
      value: 0.912,
      from: 0.9,
      to: 0.93,
    });
    expect(bandScore(bands, 0.1)).toMatchObject({ score: 1, to: 0.8 });
    expect(bandScore(bands, 0.1).from).toBeUndefined();
    expect(bandScore(bands, 0.95).to).toBeUndefined();
  });

  test('a missing or non-finite figure scores 1', () => {
    expect(bandScore(bands, undefined).score).toBe(1);
    expect(bandScore(bands, Number.NaN).score).toBe(1);
  });

  test('the texts', () => {
    expect(describeBand(bandScore(bands, 0.912))).toBe('score 4 of 5: accuracy 0.912, band 0.90–0.93');
    expect(describeBand(bandScore(bands, 0.5))).toBe('score 1 of 5: accuracy 0.500, band below 0.80');
    expect(describeBand(bandScore(bands, 0.95))).toBe('score 5 of 5: accuracy 0.950, band 0.93 or more');
    expect(describeBand(bandScore({ ...bands, split: 'validation' }, 0.95))).toContain(
      'accuracy (validation)',
    );
    expect(describeBands(bands)).toBe(
      'accuracy on the test split: 1 below 0.80 · 2 from 0.80 · 3 from 0.85 · 4 from 0.90 · 5 from 0.93',
    );
    expect(describeHintsUsed(undefined)).toBe('no hints used');
    expect(describeHintsUsed(1)).toBe('1 hint used');
    expect(describeHintsUsed(3)).toBe('3 hints used');
  });
});

describe('the bands schema', () => {
  test('accepts four rising thresholds in [0, 1]', () => {
    expect(BandsSchema.safeParse(bands).success).toBe(true);
  });

  test.each([
    ['not rising', [0.8, 0.85, 0.85, 0.9], 'must rise strictly'],
    ['falling', [0.9, 0.85, 0.8, 0.7], 'must rise strictly'],
    ['three thresholds', [0.8, 0.85, 0.9], 'four thresholds'],
    ['above 1', [0.8, 0.85, 0.9, 1.2], ''],
    ['below 0', [-0.1, 0.85, 0.9, 0.95], ''],
  ])('refuses thresholds %s', (_name, scores, message) => {
    const parsed = BandsSchema.safeParse({ ...bands, scores });
    expect(parsed.success).toBe(false);
    if (message) expect(JSON.stringify(parsed.error?.issues)).toContain(message);
  });

  test('refuses a metric where lower is better', () => {
    expect(BandsSchema.safeParse({ ...bands, metric: 'loss' }).success).toBe(false);
  });

  test('bands go on train exercises only', () => {
    expect(ExerciseSchema.safeParse({ ...trainExercise, bands }).success).toBe(true);
    const quiz = ExerciseSchema.safeParse({ ...trainExercise, kind: 'quiz', bands });
    expect(quiz.success).toBe(false);
    expect(quiz.error?.issues[0].path).toEqual(['bands']);
  });
});

describe('the exam tasks', () => {
  test('load with bands whose target is the score-4 threshold; the reference scores 4 or 5, the baseline less', async () => {
    const catalog = await readCatalog();
    const tasks = catalog.bundles.filter((b) => b.exercise.category === 'exam');
    expect(tasks.map((t) => t.exercise.id)).toEqual([
      'exam-basic',
      'exam-fashion-cnn',
      'exam-defects',
      'exam-transfer',
    ]);
    for (const { exercise } of tasks) {
      expect(exercise.bands, exercise.id).toBeDefined();
      const target = exercise.targets.find((t) => t.metric === exercise.bands!.metric);
      expect(target?.atLeast, exercise.id).toBe(exercise.bands!.scores[2]);
      // Calibrated as every training exercise (tests/unit/grading/calibration.test.ts): here, what the
      // bands make of the runs: a reference run scores 4 or 5 (a pass), a weak baseline less.
      const metricKey = `${exercise.bands!.metric}:${exercise.bands!.split}`;
      const score = (run: { metrics: Record<string, number> }) =>
        bandScore(exercise.bands!, run.metrics[metricKey]).score;
      for (const run of exercise.calibration!.reference.runs)
        expect(score(run), exercise.id).toBeGreaterThanOrEqual(4);
      for (const run of exercise.calibration!.baseline.runs) expect(score(run), exercise.id).toBeLessThan(4);
    }
  });
});
