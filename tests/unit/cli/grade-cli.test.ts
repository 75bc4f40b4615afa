/**
 * The `cv-lab grade` command as a user runs it: a spawned process, its exit code, stdout and stderr.
 * Uses the `quick-fashion` fixture exercise (test accuracy ≥ 0.7) so each run trains in seconds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cvLab, repoRoot } from './run-cli';
import { ReportSchema } from '../../../src/core/exercises/schema';

const root = repoRoot;
const fixtures = join(root, 'tests/fixtures/exercises');
const work = mkdtempSync(join(tmpdir(), 'cv-lab-grade-'));

function learnerFile(name: string, code: string): string {
  const path = join(work, name);
  writeFileSync(path, code);
  return path;
}

const grade = (code: string, ...extra: string[]) =>
  cvLab(['grade', '--exercises', fixtures, '--exercise', 'quick-fashion', '--code', code, ...extra]);

describe('cv-lab grade', () => {
  it('exits 0 and prints a JSON report when the model passes', async () => {
    const result = await grade(join(fixtures, 'quick-fashion/solution.ts'), '--json');
    expect(result.code, result.stderr).toBe(0);
    const report = ReportSchema.parse(JSON.parse(result.stdout));
    expect(report.passed).toBe(true);
    expect(report.score).toBe(100);
    expect(report.metrics.accuracy).toBeGreaterThanOrEqual(0.7);
    expect(report.metrics.testCount).toBe(10000);
    expect(report.checks.find((c) => c.id === 'rule:maxEpochs')?.detail).toMatch(/3 epochs/);
    expect(result.stderr).toMatch(/Epoch 3/);
  });

  it('exits 1 with a readable report when the model misses the target', async () => {
    const result = await grade(join(fixtures, 'quick-fashion/starter.ts'));
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^FAILED {2}quick-fashion/);
    expect(result.stdout).toMatch(/✗ Test accuracy at least 0\.7/);
  });

  it('exits 2 naming the line of a syntax error', async () => {
    const file = learnerFile('syntax.ts', 'export default async function train(lab) {\n  const x = ;\n}\n');
    const result = await grade(file);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/compile error in .*syntax\.ts at line 2/);
  });

  it('exits 2 naming the line where learner code throws', async () => {
    const file = learnerFile(
      'throws.ts',
      [
        "import type { Lab } from 'cv-lab';",
        'export default async function train(lab: Lab) {',
        "  await lab.data.load('fashion-mnist', { limit: 100 });",
        '  const shapes: number[] = [];',
        "  throw new Error('no model yet, shapes ' + shapes.length);",
        '}',
      ].join('\n'),
    );
    const result = await grade(file);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/runtime error in .*throws\.ts at line 5:\d+: no model yet, shapes 0/);
  });

  it('exits 2 when the model does not fit the data', async () => {
    const file = learnerFile(
      'wrong-shape.ts',
      [
        "import type { Lab } from 'cv-lab';",
        'export default async function train(lab: Lab) {',
        '  const { tf } = lab;',
        '  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: "softmax" })] });',
        '}',
      ].join('\n'),
    );
    const result = await grade(file);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/does not fit the exercise: .*input shape \[null,784\]/);
  });

  it('exits 2 with what to run when the dataset is not prepared', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cv-lab-no-datasets-'));
    const result = await cvLab(
      [
        'grade',
        '--exercises',
        fixtures,
        '--exercise',
        'quick-fashion',
        '--code',
        join(fixtures, 'quick-fashion/solution.ts'),
      ],
      { env: { CV_LAB_DATASETS: empty } },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/npx cv-lab datasets prepare fashion-mnist/);
  });

  it('exits 2 for an unknown exercise, listing the known ones', async () => {
    const result = await cvLab(['grade', '--exercise', 'nope', '--code', 'x.ts']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no exercise 'nope'; known exercises: .*fashion-mnist-cnn/);
  });
  it('repeats a run with --seed: the same model twice; refuses a seed that is not one', async () => {
    const solution = join(fixtures, 'quick-fashion/solution.ts');
    const first = await grade(solution, '--json', '--seed', '7', '-q');
    const second = await grade(solution, '--json', '--seed', '7', '-q');
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    const hash = (stdout: string) => ReportSchema.parse(JSON.parse(stdout)).modelHash;
    expect(hash(second.stdout)).toBe(hash(first.stdout));
    const bad = await grade(solution, '--seed', '-1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--seed must be from 0 to 4294967295, got '-1'");
  });
});
