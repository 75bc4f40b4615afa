/**
 * Learner prints reach the terminal as they happen: `console.log` (tensors printed readably) and
 * `model.summary()` become log events of the run in the sandbox, which the CLI prints.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cvLab, repoRoot } from './run-cli';

it('prints console.log, console.warn and model.summary() from learner code', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'cv-lab-console-')), 'prints.ts');
  writeFileSync(
    file,
    [
      "import type { Lab } from 'cv-lab';",
      'export default async function train(lab: Lab) {',
      '  const { tf } = lab;',
      "  console.log('hello from train', tf.tensor1d([1, 2, 3]));",
      "  console.warn('careful');",
      "  const { train } = await lab.data.load('fashion-mnist', { limit: 32 });",
      '  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }),',
      "    tf.layers.dense({ units: 10, activation: 'softmax' })] });",
      '  model.summary();',
      "  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });",
      '  await model.fit(train.xs, train.ys, { epochs: 1 });',
      '  return model;',
      '}',
    ].join('\n'),
  );
  const result = await cvLab([
    'grade',
    '--exercises',
    join(repoRoot, 'tests/fixtures/exercises'),
    '--exercise',
    'quick-fashion',
    '--code',
    file,
  ]);
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/hello from train Tensor\s+\[1, 2, 3\]/);
  expect(result.stderr).toMatch(/warn: careful/);
  // The learner's own summary comes before training (and the lab's, as each fit starts).
  expect(result.stderr.indexOf('Total params: 7850')).toBeLessThan(result.stderr.indexOf('Epoch 1:'));
});
