/**
 * Training on the WASM backend with our kernels: the reference CNN's layer types reach the same test
 * accuracy as on the CPU backend on a fixed subset of real Fashion-MNIST, MobileNet v1 trains, and
 * neither live tensors nor the WASM heap grow from epoch to epoch.
 *
 * The CPU backend trains the full reference CNN at a few images a second, so the accuracy parity
 * test trains a narrower copy (Conv2D 4 and 8 filters, Dense 16; the same layer types, activations,
 * pooling, optimizer and loss): 1000 training images, 1000 test images, 2 epochs, batch 32 (about
 * 40 s on the CPU backend),
 * seeded initialisers and no shuffling, so both backends follow the same trajectory up to float
 * rounding.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { buildReferenceCnn } from '../../../src/core/models/reference-cnn';
import { buildMobileNetV1, buildMobileNetV2 } from '../../../src/core/models/mobilenet';
import { mulberry32 } from '../../../src/core/shared/shuffle';
import { initNodeBackend, type NodeBackendName } from '@cv-lab/runtime/node';

const FASHION = '/usr/share/datasets/fashion-mnist';

/** Reads `count` images (scaled to [0, 1]) and labels of an idx gzip pair. */
function readIdx(split: 'train' | 't10k', count: number): { images: Float32Array; labels: Int32Array } {
  const images = gunzipSync(readFileSync(`${FASHION}/${split}-images-idx3-ubyte.gz`));
  const labels = gunzipSync(readFileSync(`${FASHION}/${split}-labels-idx1-ubyte.gz`));
  const pixels = new Float32Array(count * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images[16 + i] / 255;
  return { images: pixels, labels: Int32Array.from(labels.subarray(8, 8 + count)) };
}

const train = readIdx('train', 1000);
const testSet = readIdx('t10k', 1000);

async function trainAndEvaluate(backend: NodeBackendName): Promise<number> {
  await initNodeBackend(backend);
  const model = buildReferenceCnn(tf, { convFilters: [4, 8], denseUnits: 16, seed: 7 });
  model.compile({ optimizer: tf.train.adam(5e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const xs = tf.tensor4d(train.images, [1000, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 10);
  await model.fit(xs, ys, { epochs: 2, batchSize: 32, shuffle: false, verbose: 0 });
  const predicted = tf.tidy(() =>
    (model.predict(tf.tensor4d(testSet.images, [1000, 28, 28, 1])) as tf.Tensor).argMax(-1),
  );
  const guesses = await predicted.data();
  const correct = Array.from(guesses).reduce((sum, g, i) => sum + (g === testSet.labels[i] ? 1 : 0), 0);
  tf.dispose([xs, ys, predicted]);
  model.dispose();
  return correct / 1000;
}

describe('training on the wasm backend', () => {
  test('the reference CNN layer types reach the CPU backend accuracy within one point', async () => {
    const cpuAccuracy = await trainAndEvaluate('cpu');
    const wasmAccuracy = await trainAndEvaluate('wasm');
    console.log(`test accuracy after 2 epochs: cpu ${cpuAccuracy}, wasm ${wasmAccuracy}`);
    expect(cpuAccuracy).toBeGreaterThan(0.5);
    expect(Math.abs(wasmAccuracy - cpuAccuracy)).toBeLessThanOrEqual(0.01);
  }, 240_000);

  /**
   * Trains `model` for four epochs and checks that, once the first epoch has created the
   * optimizer's slots, live tensors, backend data ids and the WASM heap stay exactly the same.
   */
  async function expectFlatMemory(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor, batchSize: number) {
    const backend = tf.backend() as BackendWasm;
    const perEpoch: { tensors: number; dataIds: number; heap: number }[] = [];
    await model.fit(xs, ys, {
      epochs: 4,
      batchSize,
      verbose: 0,
      callbacks: {
        onEpochEnd: async () => {
          perEpoch.push({
            tensors: tf.memory().numTensors,
            dataIds: backend.numDataIds(),
            heap: (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer.byteLength,
          });
        },
      },
    });
    for (const epoch of perEpoch.slice(2)) {
      expect(epoch).toEqual(perEpoch[1]);
    }
    tf.dispose([xs, ys]);
    model.dispose();
  }

  test('live tensors and the WASM heap stay flat from epoch to epoch', async () => {
    await initNodeBackend('wasm');
    const model = buildReferenceCnn(tf, { seed: 3 });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const xs = tf.tensor4d(train.images.subarray(0, 256 * 784), [256, 28, 28, 1]);
    const ys = tf.oneHot(tf.tensor1d(train.labels.subarray(0, 256), 'int32'), 10);
    await expectFlatMemory(model, xs, ys, 64);
  });

  test('MobileNet: live tensors and the WASM heap stay flat too (fused batch norm, ReLU6, pointwise)', async () => {
    await initNodeBackend('wasm');
    const model = buildMobileNetV1(tf, { alpha: 0.25, inputShape: [32, 32, 3], classes: 3 });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const xs = tf.randomUniform([32, 32, 32, 3], 0, 1, 'float32', 5);
    const labels = Array.from({ length: 32 }, (_, i) => i % 3);
    const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
    await expectFlatMemory(model, xs, ys, 16);
  });

  test.each([
    [
      'v1 (alpha 0.25, depthwise, batch norm, relu6, global pooling)',
      () => buildMobileNetV1(tf, { alpha: 0.25, inputShape: [32, 32, 3], classes: 3 }),
    ],
    [
      'v2 (alpha 0.35, inverted residuals, linear bottlenecks)',
      () => buildMobileNetV2(tf, { alpha: 0.35, inputShape: [32, 32, 3], classes: 3 }),
    ],
  ])('MobileNet %s trains on wasm', async (_, build) => {
    await initNodeBackend('wasm');
    // tfjs draws unseeded initial weights from Math.random: seed it so the run is the same every
    // time (at Adam 1e-2 some draws made the loss spike above its first value; 2e-3 and ten epochs
    // brought it below 0.03 for each of twelve seeds tried).
    const unseeded = Math.random;
    Math.random = mulberry32(7919);
    try {
      const model = build();
      model.compile({ optimizer: tf.train.adam(2e-3), loss: 'categoricalCrossentropy' });
      // Three classes told apart by which colour channel is bright: learnable in a few steps.
      const labels = Array.from({ length: 24 }, (_, i) => i % 3);
      const xs = tf.tidy(() =>
        tf.stack(labels.map((l) => tf.oneHot(tf.fill([32, 32], l, 'int32'), 3).toFloat())),
      );
      const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
      const history = await model.fit(xs, ys, { epochs: 10, batchSize: 24, verbose: 0 });
      const losses = history.history.loss as number[];
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[losses.length - 1]).toBeLessThan(Math.min(0.25, losses[0] / 3));
      tf.dispose([xs, ys]);
      model.dispose();
    } finally {
      Math.random = unseeded;
    }
  });
});
