/**
 * `cv-lab verify --baseline` runs a training exercise's weak baseline (`baseline.ts`,
 * docs/authoring-exercises.md "Calibration") beside its solution and starter: a baseline that
 * passes makes the exercise too easy, and says so; a missing one is named. Run as a user runs it,
 * on copies of the `quick-fashion` fixture with tiny baselines; nothing here asserts a time.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cvLab, repoRoot } from './run-cli';

const fixture = join(repoRoot, 'tests/fixtures/exercises/quick-fashion');

/** A catalog folder holding quick-fashion with this baseline.ts (none when `baseline` is undefined). */
function catalogWithBaseline(baseline: string | undefined): string {
  const root = mkdtempSync(join(tmpdir(), 'cv-lab-verify-baseline-'));
  cpSync(fixture, join(root, 'quick-fashion'), { recursive: true });
  if (baseline === undefined) rmSync(join(root, 'quick-fashion/baseline.ts'), { force: true });
  else writeFileSync(join(root, 'quick-fashion/baseline.ts'), baseline);
  return root;
}

/** A dense net on `limit` images for `epochs` epochs. */
const denseNet = (limit: number, epochs: number) =>
  [
    "import type { Lab } from 'cv-lab';",
    'export default async function train(lab: Lab) {',
    '  const { tf } = lab;',
    `  const { train } = await lab.data.load('fashion-mnist', { limit: ${limit} });`,
    '  const model = tf.sequential({ layers: [',
    '    tf.layers.flatten({ inputShape: [28, 28, 1] }),',
    "    tf.layers.dense({ units: 64, activation: 'relu' }),",
    "    tf.layers.dense({ units: 10, activation: 'softmax' }),",
    '  ] });',
    "  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });",
    `  await model.fit(train.xs, train.ys, { epochs: ${epochs}, batchSize: 32, callbacks: lab.callbacks() });`,
    '  return model;',
    '}',
  ].join('\n');

/** Each verify trains three small models; a busy shared machine can take minutes. */
const VERIFY_TIMEOUT = 600_000;

const verify = (root: string) =>
  cvLab([
    'verify',
    '--exercises',
    root,
    '--exercise',
    'quick-fashion',
    '--baseline',
    '--seed',
    '1',
    '--json',
  ]);

describe('cv-lab verify --baseline', () => {
  it(
    'is honest when the baseline runs and fails',
    async () => {
      // Ten images: far below the fixture's 0.7.
      const result = await verify(catalogWithBaseline(denseNet(10, 1)));
      const line = JSON.parse(result.stdout);
      expect(line.baselinePassed, result.stderr).toBe(false);
      expect(line.problems).toEqual([]);
      expect(result.code).toBe(0);
    },
    VERIFY_TIMEOUT,
  );

  it(
    'says the exercise is too easy when the baseline passes',
    async () => {
      const result = await verify(catalogWithBaseline(denseNet(6000, 3)));
      const line = JSON.parse(result.stdout);
      expect(line.baselinePassed, result.stderr).toBe(true);
      expect(line.problems).toContain('baseline passes: the exercise is too easy');
      expect(result.code).toBe(1);
    },
    VERIFY_TIMEOUT,
  );

  it(
    'names a training exercise without a baseline',
    async () => {
      const result = await verify(catalogWithBaseline(undefined));
      expect(JSON.parse(result.stdout).problems).toContain('no baseline.ts');
      expect(result.code).toBe(1);
    },
    VERIFY_TIMEOUT,
  );
});
