/**
 * The run pipeline in Node, on the WASM backend and the real Fashion-MNIST: what a learner sees when
 * their code misbehaves (NaN loss, leaked tensors, too slow, returns nothing) and that the test split
 * stays with the grader.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExercise } from '../../../src/core/sandbox/run';
import type { RunEvent } from '../../../src/core/sandbox/events';
import type { ExerciseBundle } from '../../../src/core/exercises/schema';
import { readCatalog } from '../../../src/cli/catalog';
import { findExercise } from '../../../src/core/exercises/catalog';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { datasetFolder, fsDatasetReader } from '../../../src/cli/datasets/fs-reader';
import { join, resolve } from 'node:path';

let bundle: ExerciseBundle;

beforeAll(async () => {
  await initNodeBackend('wasm');
  const catalog = await readCatalog(
    join(resolve(import.meta.dirname, '../../..'), 'tests/fixtures/exercises'),
  );
  bundle = findExercise(catalog, 'quick-fashion')!;
});

async function run(code: string, timeLimitSeconds?: number) {
  const events: RunEvent[] = [];
  const outcome = await runExercise(
    { bundle, code, backend: 'wasm', timeLimitSeconds },
    {
      tf,
      datasetReader: (id) => fsDatasetReader(datasetFolder(id)),
      onEvent: (e) => events.push(e),
      candidateBackends: ['wasm'],
    },
  );
  return { outcome, events };
}

/** A learner module around `body`, the lines of `train(lab)`'s body. */
const learner = (...body: string[]) =>
  [
    "import type { Lab } from 'cv-lab';",
    'export default async function train(lab: Lab) {',
    '  const { tf } = lab;',
    ...body,
    '}',
  ].join('\n');

const smallModel = [
  '  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }),',
  "    tf.layers.dense({ units: 10, activation: 'softmax' })] });",
];

describe('runExercise', () => {
  it("checks the exercise's rules about the model as fit starts, warning before the run is wasted", async () => {
    const { outcome, events } = await run(
      learner(
        "  const { train } = await lab.data.load('fashion-mnist', { limit: 200 });",
        '  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }),',
        "    tf.layers.dense({ units: 5, activation: 'softmax' })] });",
        "  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });",
        '  await model.fit(train.xs, train.ys.slice([0, 0], [200, 5]), { epochs: 1, batchSize: 100, callbacks: lab.callbacks() });',
        '  return model;',
      ),
    );
    const checked = events.find((e) => e.type === 'log' && e.message.startsWith('Checked before training'));
    expect(checked).toBeDefined();
    expect(checked!.type === 'log' && checked!.message).toMatch(/✓ Input shape \[28,28,1\]/);
    expect(checked!.type === 'log' && checked!.message).toMatch(
      /✗ 10 output units: output shape \[null,5\]: 5 units, expected 10/,
    );
    const warning = events.find((e) => e.type === 'warning' && e.code === 'rule');
    expect(warning).toMatchObject({
      message: expect.stringMatching(/breaks a rule of the exercise \(10 output units/),
    });
    // Both come before the first batch: the learner can stop at once.
    const firstBatch = events.findIndex((e) => e.type === 'batch');
    expect(events.indexOf(warning!)).toBeLessThan(firstBatch);
    expect(outcome.report?.passed).toBe(false);
  });

  it('streams batch and epoch figures and ends with a report', async () => {
    const { outcome, events } = await run(
      learner(
        "  const { train } = await lab.data.load('fashion-mnist', { limit: 500 });",
        ...smallModel,
        "  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });",
        '  await model.fit(train.xs, train.ys, { epochs: 2, batchSize: 100, callbacks: lab.callbacks() });',
        '  return model;',
      ),
    );
    expect(outcome.ok).toBe(true);
    expect(outcome.history.map((h) => h.epoch)).toEqual([0, 1]);
    const batches = events.filter((e) => e.type === 'batch');
    // 500 images in batches of 100, two epochs, counted once although the monitor is attached twice.
    expect(batches).toHaveLength(10);
    expect(events.find((e) => e.type === 'backend')).toMatchObject({ backend: 'wasm' });
    expect(events.at(-1)).toMatchObject({ type: 'phase', phase: 'done' });
    expect(outcome.report?.epochs).toBe(2);
    expect(outcome.report?.metrics.testCount).toBe(10000);
    // The summary comes as training starts, once: the end does not repeat an unchanged one.
    const summaries = events.filter((e) => e.type === 'log' && /Total params: 7,?850/.test(e.message));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ message: outcome.modelSummary });
    expect(events.indexOf(summaries[0])).toBeLessThan(events.findIndex((e) => e.type === 'batch'));
  });

  it('stops on a NaN loss with a hint', async () => {
    const { outcome } = await run(
      learner(
        "  const { train } = await lab.data.load('fashion-mnist', { limit: 300 });",
        ...smallModel,
        '  const nanLoss = (yTrue: any, yPred: any) => tf.mean(tf.log(tf.sub(yPred, 2)));',
        '  model.compile({ optimizer: "adam", loss: nanLoss });',
        '  await model.fit(train.xs, train.ys, { epochs: 20, batchSize: 100 });',
        '  return model;',
      ),
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.error?.kind).toBe('nan');
    expect(outcome.error?.message).toMatch(/loss became NaN in epoch 1/);
    expect(outcome.error?.hint).toMatch(/learning rate/);
    // Stopped in the first epoch, not after 20.
    expect(outcome.history.length).toBe(1);
  });

  it('warns, naming the figures, when tensors leak epoch over epoch', async () => {
    const { outcome, events } = await run(
      learner(
        "  const { train } = await lab.data.load('fashion-mnist', { limit: 200 });",
        ...smallModel,
        "  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });",
        '  const kept: unknown[] = [];',
        '  await model.fit(train.xs, train.ys, { epochs: 4, batchSize: 100, callbacks: [lab.callbacks(),',
        '    new tf.CustomCallback({ onBatchEnd: async () => { for (let i = 0; i < 30; i++) kept.push(tf.ones([4])); } })] });',
        '  return model;',
      ),
    );
    expect(outcome.ok).toBe(true);
    const warning = events.find((e) => e.type === 'warning' && e.code === 'leak');
    expect(warning).toBeDefined();
    expect((warning as { message: string }).message).toMatch(
      /Tensor count grew every epoch: \d+ → \d+ → \d+/,
    );
  });

  it('does not warn about leaks for a clean run', async () => {
    const { events } = await run(
      learner(
        "  const { train, validation } = await lab.data.load('fashion-mnist', { limit: 300, validationSplit: 0.2 });",
        ...smallModel,
        "  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });",
        '  await model.fit(train.xs, train.ys, { epochs: 5, batchSize: 60, validationData: [validation!.xs, validation!.ys] });',
        '  return model;',
      ),
    );
    expect(events.filter((e) => e.type === 'warning')).toEqual([]);
  });

  it('stops training at the time limit and says so', async () => {
    const { outcome, events } = await run(
      learner(
        "  const { train } = await lab.data.load('fashion-mnist', { limit: 2000 });",
        ...smallModel,
        "  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });",
        '  await model.fit(train.xs, train.ys, { epochs: 1000, batchSize: 32 });',
        '  return model;',
      ),
      1,
    );
    expect(outcome.ok).toBe(true);
    expect(outcome.history.length).toBeLessThan(1000);
    expect(outcome.report?.passed).toBe(false);
    expect(outcome.report?.checks.find((c) => c.id === 'limit:time')?.detail).toMatch(/time limit of 1 s/);
    expect(events.some((e) => e.type === 'warning' && e.code === 'time')).toBe(true);
  });

  it('says what train(lab) must return', async () => {
    const { outcome } = await run(learner('  return 42;'));
    expect(outcome.error).toMatchObject({ kind: 'contract' });
    expect(outcome.error?.message).toMatch(/must return a trained tf\.LayersModel, but it returned a number/);
  });

  it('asks for a default export', async () => {
    const { outcome } = await run('export function train() {}\n');
    expect(outcome.error?.message).toMatch(/export default async function train/);
  });

  it('refuses imports other than tfjs and cv-lab', async () => {
    const { outcome } = await run(
      "import { readFileSync } from 'fs';\nexport default async () => readFileSync('x');\n",
    );
    expect(outcome.error?.message).toMatch(/Cannot import 'fs'/);
  });

  it('never hands the test split to learner code', async () => {
    const { outcome } = await run(
      learner(
        "  const data: any = await lab.data.load('fashion-mnist', { limit: 10 });",
        '  return data.test;',
      ),
    );
    expect(outcome.error?.message).toMatch(/returned undefined/);
  });

  it('rejects bad load options with a clear message and the line', async () => {
    const { outcome } = await run(learner("  await lab.data.load('fashion-mnist', { validationSplit: 2 });"));
    expect(outcome.error?.kind).toBe('runtime');
    expect(outcome.error?.message).toMatch(/validationSplit/);
    expect(outcome.error?.line).toBe(4);
  });
});
