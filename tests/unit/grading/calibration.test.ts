/**
 * Every training exercise is calibrated (docs/authoring-exercises.md, "Calibration"; issue 14
 * item 4, issue 12 item 5): its exercise.json records measured runs of the reference solution,
 * unseeded and seeded, that pass its targets with a margin over their run-to-run spread, runs of a
 * weak baseline (`baseline.ts`) that fail, and a card time at least twice the slowest reference
 * run. A data test: it checks the recorded figures against the exercise's own targets, it times
 * nothing.
 */
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../../src/cli/catalog';
import { CalibrationSchema, type CalibrationRun, type Target } from '../../../src/core/exercises/schema';

const catalog = await readCatalog();
/**
 * Every training exercise whose targets this project measures: the course's downloaded datasets
 * take their targets from the course's graders and are not measured here (`targetSource`).
 */
const trainingExercises = catalog.bundles.filter(
  (b) => b.exercise.kind === 'train' && b.exercise.targetSource?.measuredHere !== false,
);
/**
 * Training exercises not calibrated yet (none now): a new one may wait here while its runs are
 * measured, and the list only shrinks (docs/benchmarks.md, "Catalog times").
 */
const awaitingCalibration = new Set<string>([]);
const training = trainingExercises.filter((b) => !awaitingCalibration.has(b.exercise.id));

const key = (t: Target) => `${t.metric}:${t.split}`;
const meets = (t: Target, value: number) =>
  t.atLeast !== undefined ? value >= t.atLeast : value <= t.atMost!;
/** How far past its threshold a value is, in the target's favour (negative: missed). */
const margin = (t: Target, value: number) =>
  t.atLeast !== undefined ? value - t.atLeast : t.atMost! - value;

describe('calibration of the training exercises', () => {
  it('covers the catalog: every training exercise but those awaiting their runs', () => {
    expect(catalog.errors).toEqual([]);
    expect(training.length).toBeGreaterThanOrEqual(5);
    // The waiting list only shrinks: it names training exercises that are still uncalibrated.
    for (const id of awaitingCalibration) {
      const bundle = trainingExercises.find((b) => b.exercise.id === id);
      expect(bundle, `${id} is not a training exercise`).toBeDefined();
      const calibration = bundle!.exercise.calibration;
      if (calibration) {
        // Runs measured so far may be recorded; what is missing is at least two unseeded reference runs.
        const unseeded = calibration.reference.runs.filter((r) => r.seed === null).length;
        expect(unseeded, `${id} has its unseeded runs: take it off the list`).toBeLessThan(2);
      }
    }
  });

  describe.each(training.map((b) => [b.exercise.id, b] as const))('%s', (_id, bundle) => {
    const { exercise } = bundle;
    const calibration = exercise.calibration!;

    it('records its calibration and ships its baseline', () => {
      expect(calibration, 'exercise.json has no "calibration"').toBeDefined();
      expect(CalibrationSchema.safeParse(calibration).success).toBe(true);
      expect(bundle.baseline, 'no baseline.ts in the folder').toBeTypeOf('string');
      for (const run of [...calibration.reference.runs, ...calibration.baseline.runs]) {
        expect(Object.keys(run.metrics).sort()).toEqual(exercise.targets.map(key).sort());
        // A run's verdict agrees with its figures: a missed target is a failed check.
        for (const target of exercise.targets) {
          expect(run.failed.includes(`target:${key(target)}`)).toBe(!meets(target, run.metrics[key(target)]));
        }
        expect(run.passed).toBe(run.failed.length === 0);
      }
    });

    it('has a reference that passes unseeded and seeded, with a margin over the run-to-run spread', () => {
      const runs = calibration.reference.runs;
      expect(runs.filter((r) => r.seed === null).length).toBeGreaterThanOrEqual(2);
      expect(runs.some((r) => r.seed !== null)).toBe(true);
      for (const run of runs)
        expect(run.passed, `a reference run failed: ${run.failed.join(', ')}`).toBe(true);
      for (const target of exercise.targets) {
        const values = runs.map((r: CalibrationRun) => r.metrics[key(target)]);
        const spread = Math.max(...values) - Math.min(...values);
        const worst = Math.min(...values.map((v) => margin(target, v)));
        expect(worst, `${key(target)}: margin ${worst} over a spread of ${spread}`).toBeGreaterThan(spread);
      }
    });

    it('has a weak baseline that fails every time it was measured', () => {
      for (const run of calibration.baseline.runs) expect(run.passed).toBe(false);
    });

    it('gives the reference at least twice its slowest measured time on the card', () => {
      // CPU times where they were measured (the wall clock of a shared machine counts the wait for
      // a core), else training times.
      const runs = calibration.reference.runs;
      const withCpu = runs.filter((r) => r.cpuSeconds !== undefined);
      const times = withCpu.length ? withCpu.map((r) => r.cpuSeconds!) : runs.map((r) => r.trainSeconds);
      const slowest = Math.max(...times);
      expect(exercise.expectedMinutes! * 60).toBeGreaterThanOrEqual(2 * slowest);
    });
  });
});
