/**
 * Reproducible runs: with a seed, the same learner code trains the same model (initial weights,
 * dropout and fit's shuffling all drawn from it); without one, runs differ; Math.random is the
 * original again afterwards.
 */
import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../../src/cli/catalog';
import { datasetFolder, fsDatasetReader } from '../../../src/cli/datasets/fs-reader';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { findExercise } from '../../../src/core/exercises/catalog';
import type { ExerciseBundle } from '../../../src/core/exercises/schema';
import type { RunEvent } from '../../../src/core/sandbox/events';
import { runExercise } from '../../../src/core/sandbox/run';
import { outsideSeed, withSeededRandom } from '../../../src/core/shared/seed';

let bundle: ExerciseBundle;

beforeAll(async () => {
  await initNodeBackend('wasm');
  const catalog = await readCatalog(
    join(resolve(import.meta.dirname, '../../..'), 'tests/fixtures/exercises'),
  );
  bundle = findExercise(catalog, 'quick-fashion')!;
});

// Unseeded initialisers, dropout and a shuffled fit: every source of chance a learner meets.
const code = `import type { Lab } from 'cv-lab';
export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train } = await lab.data.load('fashion-mnist', { limit: 256 });
  const model = tf.sequential({ layers: [
    tf.layers.flatten({ inputShape: [28, 28, 1] }),
    tf.layers.dense({ units: 16, activation: 'relu' }),
    tf.layers.dropout({ rate: 0.3 }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, { epochs: 2, batchSize: 32, shuffle: true });
  return model;
}
`;

async function run(seed?: number) {
  const events: RunEvent[] = [];
  const outcome = await runExercise(
    { bundle, code, backend: 'wasm', seed },
    {
      tf,
      datasetReader: (id) => fsDatasetReader(datasetFolder(id)),
      onEvent: (e) => events.push(e),
      candidateBackends: ['wasm'],
    },
  );
  expect(outcome.ok, JSON.stringify(outcome.error)).toBe(true);
  return { report: outcome.report!, history: outcome.history, events };
}

describe('a seeded run', () => {
  it('trains the same model twice, and says so in the log', async () => {
    const first = await run(42);
    const second = await run(42);
    expect(second.report.modelHash).toBe(first.report.modelHash);
    expect(second.history).toEqual(first.history);
    expect(first.events).toContainEqual({
      type: 'log',
      level: 'info',
      message:
        'Seed 42: initial weights, dropout and shuffling are drawn from it, so this run can be repeated',
    });
  });

  it('trains another model with another seed, or with none', async () => {
    const seeded = await run(42);
    expect((await run(43)).report.modelHash).not.toBe(seeded.report.modelHash);
    expect((await run()).report.modelHash).not.toBe(seeded.report.modelHash);
  });

  it('gives Math.random back, also when the work throws, and refuses a seed that is not one', async () => {
    const original = Math.random;
    await expect(
      withSeededRandom(7, () => {
        throw new Error('learner bug');
      }),
    ).rejects.toThrow('learner bug');
    expect(Math.random).toBe(original);
    await expect(withSeededRandom(1.5, () => 1)).rejects.toThrow(
      'A seed is an integer from 0 to 4294967295, not 1.5',
    );
    expect(await withSeededRandom(undefined, () => 'as is')).toBe('as is');
  });
  it('keeps draws made outside the seed (the event channel) out of the seeded stream', async () => {
    const draws = (extraOutside: number) =>
      withSeededRandom(5, () => {
        const seen = [Math.random()];
        for (let i = 0; i < extraOutside; i++) outsideSeed(() => Math.random());
        seen.push(Math.random());
        return seen;
      });
    expect(await draws(7)).toEqual(await draws(0));
  });
});
