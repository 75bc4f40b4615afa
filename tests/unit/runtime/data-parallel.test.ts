/**
 * Data-parallel training steps (packages/runtime/src/data-parallel), with real helpers: Node worker
 * threads (src/cli/data-parallel/node-helpers.ts), each with its own tfjs on WASM. A split step
 * trains as the whole step would (the same weights, up to float rounding, and the same loss and
 * metrics); what cannot be split trains whole and says why; a helper that dies costs its step
 * nothing but time; a seeded run stays repeatable. No timing is asserted (docs/benchmarks.md).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { labTrainingWorkers } from '@cv-lab/runtime';
import {
  GradientHelper,
  installDataParallelTraining,
  type DataParallelTraining,
  type HelperLink,
} from '@cv-lab/runtime/data-parallel';
import { startNodeGradientHelper } from '../../../src/cli/data-parallel/node-helpers';
import { withSeededRandom } from '../../../src/core/shared/seed';
import { defineAugmentationLayers } from '../../../src/core/augment/layers';
import { randomValues, seededRandom } from '../../../packages/runtime/test/backend-compare';

const ROWS = 64;

beforeAll(async () => {
  await initNodeBackend('wasm');
});

let split: DataParallelTraining | null = null;
afterEach(() => {
  split?.uninstall();
  split = null;
});
afterAll(() => split?.uninstall());

/** A small CNN with every layer kind whose gradient crosses: conv, pooling, dense, softmax. */
function smallCnn(seed = 5): tf.Sequential {
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed + offset });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [12, 12, 1],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(0),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(2) }),
    ],
  });
}

function data(rows = ROWS): { xs: tf.Tensor; ys: tf.Tensor; labels: tf.Tensor } {
  const random = seededRandom(11);
  const xs = tf.tensor4d(randomValues(random, rows * 144), [rows, 12, 12, 1]);
  const labels = tf.tensor1d(
    Int32Array.from({ length: rows }, (_, i) => (i * 5) % 3),
    'int32',
  );
  return { xs, ys: tf.oneHot(labels, 3).toFloat(), labels };
}

function install(notices: string[] = [], startHelper: () => HelperLink = () => startNodeGradientHelper()) {
  split = installDataParallelTraining(tf, {
    helpers: 1,
    startHelper,
    onNotice: (message) => notices.push(message),
    helperTimeoutMs: 10_000,
  });
  return split;
}

async function weightsOf(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

function largestDifference(a: Float32Array[], b: Float32Array[]): number {
  let largest = 0;
  a.forEach((values, i) => values.forEach((v, j) => (largest = Math.max(largest, Math.abs(v - b[i][j])))));
  return largest;
}

describe('a split step', () => {
  test('trains to the whole step’s weights, loss and accuracy (SGD and Adam)', async () => {
    const { xs, ys } = data();
    for (const optimizer of [() => tf.train.sgd(0.5), () => tf.train.adam(0.01)]) {
      const whole = smallCnn();
      whole.compile({ optimizer: optimizer(), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const wholeHistory = await whole.fit(xs, ys, { epochs: 3, batchSize: 32, shuffle: false, verbose: 0 });

      const parallel = install();
      await parallel.ready();
      const shared = smallCnn();
      shared.compile({ optimizer: optimizer(), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const sharedHistory = await shared.fit(xs, ys, {
        epochs: 3,
        batchSize: 32,
        shuffle: false,
        verbose: 0,
      });
      expect(parallel.counts()).toEqual({ split: 6, whole: 0 });
      parallel.uninstall();
      split = null;

      expect(largestDifference(await weightsOf(whole), await weightsOf(shared))).toBeLessThan(1e-4);
      (wholeHistory.history.loss as number[]).forEach((loss, i) =>
        expect(sharedHistory.history.loss[i] as number).toBeCloseTo(loss, 5),
      );
      expect(sharedHistory.history.acc).toEqual(wholeHistory.history.acc);
      whole.dispose();
      shared.dispose();
    }
  });

  test('sparse integer labels, and an odd batch, split too', async () => {
    const { xs, labels: integers } = data(45);
    // tfjs's sparse loss takes its class indices as floats.
    const labels = integers.toFloat();
    const whole = smallCnn();
    whole.compile({ optimizer: tf.train.sgd(0.5), loss: 'sparseCategoricalCrossentropy' });
    await whole.fit(xs, labels, { epochs: 1, batchSize: 45, verbose: 0 });
    const parallel = install();
    await parallel.ready();
    const shared = smallCnn();
    shared.compile({ optimizer: tf.train.sgd(0.5), loss: 'sparseCategoricalCrossentropy' });
    await shared.fit(xs, labels, { epochs: 1, batchSize: 45, verbose: 0 });
    expect(parallel.counts()).toEqual({ split: 1, whole: 0 });
    expect(largestDifference(await weightsOf(whole), await weightsOf(shared))).toBeLessThan(1e-4);
  });

  test('a model with our augmentation layers splits too (the helpers know their classes)', async () => {
    const notices: string[] = [];
    const parallel = install(notices);
    await parallel.ready();
    const { RandomFlip } = defineAugmentationLayers(tf);
    const { xs, ys } = data();
    const model = tf.sequential({
      layers: [
        new RandomFlip({
          inputShape: [12, 12, 1],
          mode: 'horizontal',
          seed: 3,
        }) as unknown as tf.layers.Layer,
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await model.fit(xs, ys, { epochs: 1, batchSize: 32, verbose: 0 });
    expect(notices).toEqual([]);
    expect(parallel.counts()).toEqual({ split: 2, whole: 0 });
  });

  test('leaves no tensor behind', async () => {
    const { xs, ys } = data();
    const parallel = install();
    await parallel.ready();
    const before = tf.memory().numTensors;
    const model = smallCnn();
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(xs, ys, { epochs: 2, batchSize: 32, verbose: 0 });
    expect(parallel.counts().split).toBe(4);
    model.optimizer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a model larger than the first shared buffer swaps in a larger one', async () => {
    const parallel = install();
    await parallel.ready();
    // 1.5 million weights: more than the first buffer's million floats.
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [1500], units: 1000, activation: 'relu' }),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const xs = tf.randomUniform([32, 1500]);
    const ys = tf
      .oneHot(
        tf.tensor1d(
          Int32Array.from({ length: 32 }, (_, i) => i % 2),
          'int32',
        ),
        2,
      )
      .toFloat();
    const history = await model.fit(xs, ys, { epochs: 2, batchSize: 32, verbose: 0 });
    expect(parallel.counts()).toEqual({ split: 2, whole: 0 });
    expect(Number.isFinite(history.history.loss[1] as number)).toBe(true);
  });

  test('a seeded run with dropout trains the same weights twice', async () => {
    const { xs, ys } = data();
    const train = () =>
      withSeededRandom(9, async () => {
        const model = tf.sequential({
          layers: [
            tf.layers.flatten({ inputShape: [12, 12, 1] }),
            tf.layers.dense({ units: 32, activation: 'relu' }),
            tf.layers.dropout({ rate: 0.5 }),
            tf.layers.dense({ units: 3, activation: 'softmax' }),
          ],
        });
        model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
        await model.fit(xs, ys, { epochs: 2, batchSize: 32, verbose: 0 });
        return weightsOf(model);
      });
    const notices: string[] = [];
    const parallel = install(notices);
    await parallel.ready();
    const first = await train();
    const second = await train();
    expect(notices).toEqual([]);
    expect(parallel.counts().split).toBe(8);
    expect(largestDifference(first, second)).toBe(0);
  });
});

describe('what trains whole', () => {
  test('a loss of the learner’s own, with the reason, once per model', async () => {
    const notices: string[] = [];
    const parallel = install(notices);
    await parallel.ready();
    const { xs, ys } = data();
    const model = smallCnn();
    model.compile({
      optimizer: 'sgd',
      loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.meanSquaredError(yTrue, yPred),
    });
    await model.fit(xs, ys, { epochs: 2, batchSize: 32, verbose: 0 });
    expect(parallel.counts()).toEqual({ split: 0, whole: 4 });
    expect(notices).toEqual([
      'Training on one thread: its loss is a function of its own (only named losses can be shared).',
    ]);
  });

  test('a model with two inputs, class weights, and batches too small to share', async () => {
    const notices: string[] = [];
    const parallel = install(notices);
    await parallel.ready();
    const a = tf.input({ shape: [4] });
    const b = tf.input({ shape: [4] });
    const joined = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
    const twoInputs = tf.model({
      inputs: [a, b],
      outputs: tf.layers.dense({ units: 2, activation: 'softmax' }).apply(joined) as tf.SymbolicTensor,
    });
    twoInputs.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const ys = tf
      .oneHot(
        tf.tensor1d(
          Int32Array.from({ length: 32 }, (_, i) => i % 2),
          'int32',
        ),
        2,
      )
      .toFloat();
    await twoInputs.fit([tf.ones([32, 4]), tf.ones([32, 4])], ys, { epochs: 1, batchSize: 32, verbose: 0 });
    expect(notices).toEqual(['Training on one thread: the model has several inputs or outputs.']);

    const { xs, ys: cnnYs } = data();
    const model = smallCnn();
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    await model.fit(xs, cnnYs, { epochs: 1, batchSize: 32, classWeight: { 0: 1, 1: 2, 2: 1 }, verbose: 0 });
    await model.fit(xs, cnnYs, { epochs: 1, batchSize: 8, verbose: 0 });
    // Two-input model: 1 step; class weights: 2 steps; 8 rows: 8 steps, too small to share.
    expect(parallel.counts()).toEqual({ split: 0, whole: 11 });
  });

  test('a helper that stops answering: its step is computed here and the run goes on', async () => {
    const notices: string[] = [];
    const links: HelperLink[] = [];
    const parallel = install(notices, () => {
      const link = startNodeGradientHelper();
      links.push(link);
      return link;
    });
    await parallel.ready();
    const { xs, ys } = data();
    const whole = smallCnn();
    whole.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
    const model = smallCnn();
    model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
    await model.fit(xs, ys, { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
    links[0].terminate();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await model.fit(xs, ys, { epochs: 2, batchSize: 32, shuffle: false, verbose: 0 });
    await whole.fit(xs, ys, { epochs: 3, batchSize: 32, shuffle: false, verbose: 0 });
    // The first fit's 2 steps split; the dead helper's step, the 3 after it and the 6 of the
    // whole model's fit trained whole.
    expect(parallel.counts()).toEqual({ split: 2, whole: 10 });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /^Training on one thread from here: a helper failed \(a helper did not answer\)\.$/,
    );
    expect(largestDifference(await weightsOf(whole), await weightsOf(model))).toBeLessThan(1e-4);
  }, 60_000);
});

describe('a helper’s share of memory', () => {
  test('tensors past the share after a job end the helper with a HelperMemoryError', async () => {
    const model = smallCnn();
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const inner = model as unknown as {
      weights: tf.LayerVariable[];
      collectedTrainableWeights: tf.LayerVariable[];
    };
    const config = {
      topology: model.toJSON(null, false) as object,
      loss: 'categoricalCrossentropy',
      weightShapes: inner.weights.map((w) => w.shape as number[]),
      trainable: inner.weights.map((_, i) => i),
      seed: 1,
    };
    // The share fits the declared weights (2,000-odd floats), but this thread already holds a
    // 4 MB tensor (and the other tests' data): the check after a job counts every tensor of the
    // helper's thread.
    const held = tf.zeros([1 << 20]);
    const helper = new GradientHelper(tf, () => undefined, 2 ** 21);
    const error = await helper.configure(config).then(
      () => null,
      (thrown: Error) => thrown,
    );
    expect(error?.name).toBe('HelperMemoryError');
    expect(error?.message).toMatch(/^a helper held \d+ MB of tensors, more than its share \(2 MB\)$/);
    held.dispose();
    helper.dispose();
    model.dispose();
  });
});

describe('workers the lab asks for', () => {
  test('both cores of two, half of more, at most 8; one without shared memory', () => {
    expect(labTrainingWorkers(1, true)).toBe(1);
    expect(labTrainingWorkers(2, true)).toBe(2);
    expect(labTrainingWorkers(3, true)).toBe(2);
    expect(labTrainingWorkers(4, true)).toBe(2);
    expect(labTrainingWorkers(8, true)).toBe(4);
    expect(labTrainingWorkers(64, true)).toBe(8);
    expect(labTrainingWorkers(8, false)).toBe(1);
    expect(labTrainingWorkers(Number.NaN, true)).toBe(1);
  });
});
