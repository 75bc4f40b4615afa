/**
 * Rules judged from what the host observed, not from what learner code reports (issue: "Honest
 * rules"): validation figures on the validation part the host handed out, epochs counted however
 * training was done, a stopping callback proved by `stopTraining`, the labelled-image limit enforced
 * when the data is handed out, and a model too large to grade refused before tfjs builds it. The
 * protocol runs with its sandbox in this thread (in-thread-sandbox.ts); the CLI's and the page's
 * sandboxes run the same two sides.
 */
import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../../src/cli/catalog';
import { datasetFolder, fsDatasetReader } from '../../../src/cli/datasets/fs-reader';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { findExercise } from '../../../src/core/exercises/catalog';
import type { ExerciseBundle, Rule, Target } from '../../../src/core/exercises/schema';
import { assertGradableTopology, MAX_GRADED_LAYERS } from '../../../src/core/models/artifacts';
import { parseSandboxMessage } from '../../../src/core/sandbox/protocol';
import { runExercise } from '../../../src/core/sandbox/run';
import { countedEpochs } from '../../../src/core/sandbox/supervise';

let base: ExerciseBundle;

beforeAll(async () => {
  await initNodeBackend('wasm');
  const catalog = await readCatalog(
    join(resolve(import.meta.dirname, '../../..'), 'tests/fixtures/exercises'),
  );
  base = findExercise(catalog, 'quick-fashion')!;
});

function exercise(changes: { targets?: Target[]; rules?: Rule[]; trainImages?: number }): ExerciseBundle {
  return {
    ...base,
    exercise: {
      ...base.exercise,
      ...(changes.targets ? { targets: changes.targets } : {}),
      ...(changes.rules ? { rules: changes.rules } : {}),
      limits: {
        ...base.exercise.limits,
        ...(changes.trainImages ? { trainImages: changes.trainImages } : {}),
      },
    },
  };
}

const run = (bundle: ExerciseBundle, body: string[]) =>
  runExercise(
    {
      bundle,
      backend: 'wasm',
      seed: 3,
      code: [
        "import type { Lab } from 'cv-lab';",
        'export default async function train(lab: Lab) {',
        '  const { tf } = lab;',
        '  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }),',
        "    tf.layers.dense({ units: 10, activation: 'softmax' })] });",
        "  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });",
        ...body,
        '  return model;',
        '}',
      ].join('\n'),
    },
    {
      tf,
      datasetReader: (id) => fsDatasetReader(datasetFolder(id)),
      onEvent: () => {},
      candidateBackends: ['wasm'],
    },
  );

const check = (outcome: Awaited<ReturnType<typeof run>>, id: string) =>
  outcome.report!.checks.find((c) => c.id === id)!;

describe('honest rules', () => {
  it('measures validation on the validation images the lab handed out, not on what fit was given', async () => {
    const bundle = exercise({ targets: [{ metric: 'accuracy', split: 'validation', atLeast: 0.97 }] });
    // Training data passed as validation data: fit's val_acc is the training accuracy.
    const outcome = await run(bundle, [
      "  const { train } = await lab.data.load('fashion-mnist', { limit: 300, validationSplit: 0.2 });",
      '  await model.fit(train.xs, train.ys, { epochs: 30, validationData: [train.xs, train.ys] });',
    ]);
    const target = check(outcome, 'target:accuracy:validation');
    expect(outcome.history.at(-1)!.logs.val_acc).toBeGreaterThan(0.97);
    expect(target.passed).toBe(false);
    expect(target.detail).toMatch(/^validation accuracy 0\.[0-8]/);
  });

  it('says validation was not measured when the lab handed out none', async () => {
    const bundle = exercise({ targets: [{ metric: 'accuracy', split: 'validation', atLeast: 0.5 }] });
    const outcome = await run(bundle, [
      "  const { train } = await lab.data.load('fashion-mnist', { limit: 200 });",
      '  await model.fit(train.xs, train.ys, { epochs: 1, validationSplit: 0.2 });',
    ]);
    expect(check(outcome, 'target:accuracy:validation')).toMatchObject({ passed: false });
    expect(check(outcome, 'target:accuracy:validation').detail).toMatch(/not measured/);
  });

  it('a stop-at-target rule needs a callback that stopped training', async () => {
    const bundle = exercise({ rules: [{ type: 'stopsAtTarget', metric: 'accuracy', atLeast: 0.1 }] });
    const planned = await run(bundle, [
      "  const { train } = await lab.data.load('fashion-mnist', { limit: 200 });",
      '  await model.fit(train.xs, train.ys, { epochs: 1 });',
    ]);
    expect(check(planned, 'rule:stopsAtTarget')).toMatchObject({ passed: false });
    expect(check(planned, 'rule:stopsAtTarget').detail).toMatch(/no callback stopped training/);
    const stopped = await run(bundle, [
      "  const { train } = await lab.data.load('fashion-mnist', { limit: 200 });",
      '  const stop = new tf.CustomCallback({ onEpochEnd: async (_e, logs) => { if ((logs?.acc ?? 0) >= 0.1) model.stopTraining = true; } });',
      '  await model.fit(train.xs, train.ys, { epochs: 5, callbacks: [stop] });',
    ]);
    expect(check(stopped, 'rule:stopsAtTarget')).toMatchObject({ passed: true });
  });

  it('hands out no more labelled images than the exercise allows, over every load', async () => {
    const bundle = exercise({ trainImages: 160 });
    const within = await run(bundle, [
      "  const { train } = await lab.data.load('fashion-mnist', { limit: 160, validationSplit: 0.25 });",
      '  await model.fit(train.xs, train.ys, { epochs: 1 });',
    ]);
    expect(within.ok).toBe(true);
    const beyond = await run(bundle, [
      "  const { train } = await lab.data.load('fashion-mnist', { limit: 160 });",
      "  await lab.data.load('fashion-mnist', { limit: 200, seed: 7 });",
      '  await model.fit(train.xs, train.ys, { epochs: 1 });',
    ]);
    expect(beyond.ok).toBe(false);
    expect(beyond.error!.message).toMatch(/at most 160 labelled images .* this load would make \d+/);
  });

  it('refuses a run that asks for data in a loop, with a message', async () => {
    const outcome = await run(base, [
      "  for (let i = 0; i < 40; i++) await lab.data.load('fashion-mnist', { limit: 10 });",
    ]);
    expect(outcome.ok).toBe(false);
    expect(outcome.error!.message).toMatch(/lab\.data\.load may be called at most 32 times in a run/);
  });

  it('counts epochs as full passes over the handed-out images when fit saw fewer', () => {
    expect(countedEpochs({ fitEpochs: 0, imagesSeen: 8 * 256 }, 256)).toBe(8);
    expect(countedEpochs({ fitEpochs: 10, imagesSeen: 9 * 256 }, 256)).toBe(10);
    expect(countedEpochs({ fitEpochs: 0, imagesSeen: 255 }, 256)).toBe(0);
  });
});

describe('what crosses the boundary', () => {
  it('refuses a model padded with more layers than the grader takes, before building it', () => {
    const layers = Array.from({ length: MAX_GRADED_LAYERS + 1 }, (_, i) => ({
      class_name: 'Activation',
      config: { name: `pad_${i}`, activation: 'linear' },
    }));
    expect(() =>
      assertGradableTopology({ modelTopology: { class_name: 'Sequential', config: { layers } } }),
    ).toThrow(/has 1002 layers and configs; the grader takes at most 1000/);
  });

  it('parses every message from the sandbox, and names what is wrong with a malformed one', () => {
    expect(
      'message' in
        parseSandboxMessage({ type: 'event', event: { type: 'log', level: 'info', message: 'hi' } }),
    ).toBe(true);
    const forged = parseSandboxMessage({
      type: 'event',
      event: { type: 'report', report: { passed: true } },
    });
    expect(forged).toMatchObject({
      problem: expect.stringMatching(/^the sandbox sent a malformed message at event\.type/),
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(
      'problem' in parseSandboxMessage({ type: 'end', result: { kind: 'quiz', ok: true, answers: cyclic } }),
    ).toBe(true);
    expect(
      'problem' in
        parseSandboxMessage({
          type: 'request',
          id: 1,
          request: { kind: 'data', datasetId: 'x'.repeat(500), options: {} },
        }),
    ).toBe(true);
  });
});
