/**
 * Transfer-learning helpers on a small MobileNet v1: blocks, truncation, freezing and unfreezing
 * (counted in trainable parameters, batch norm kept frozen on request), and that a frozen base really stays frozen through `fit`,
 * batch-norm statistics included.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { buildMobileNetV1 } from '../../../src/core/models/mobilenet';
import {
  countTrainableParams,
  freeze,
  listBlocks,
  truncateAt,
  unfreeze,
} from '../../../src/core/models/transfer';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const smallMobileNet = (includeTop = true) =>
  buildMobileNetV1(tf, { alpha: 0.25, inputShape: [32, 32, 3], classes: 3, includeTop, dropout: 0 });

const sizeOf = (weights: tf.LayerVariable[]) =>
  weights.reduce((n, w) => n + w.shape.reduce((a: number, d) => a * (d ?? 1), 1), 0);

describe('listBlocks', () => {
  it('groups a MobileNet into the stem, 13 blocks and the top', () => {
    const model = smallMobileNet();
    const blocks = listBlocks(model);
    expect(blocks.map((b) => b.name)).toEqual([
      'stem',
      ...Array.from({ length: 13 }, (_, i) => `block_${i + 1}`),
      'global_pool',
      'predictions',
    ]);
    expect(blocks[1].layers).toEqual([
      'conv_dw_1',
      'conv_dw_1_bn',
      'conv_dw_1_relu',
      'conv_pw_1',
      'conv_pw_1_bn',
      'conv_pw_1_relu',
    ]);
    expect(blocks.reduce((n, b) => n + b.params, 0)).toBe(model.countParams());
    // The top: 256 features (1024 × 0.25) into 3 classes.
    expect(blocks.at(-1)!.params).toBe(256 * 3 + 3);
    model.dispose();
  });
});

describe('freeze and unfreeze', () => {
  it('counts trainable parameters as layers are frozen and unfrozen', () => {
    const model = smallMobileNet();
    const all = countTrainableParams(model);
    expect(all).toBe(sizeOf(model.trainableWeights as never));
    freeze(model);
    expect(countTrainableParams(model)).toBe(0);

    unfreeze(model, { from: 'block_13' });
    const blocks = listBlocks(model);
    const block13 = blocks.find((b) => b.name === 'block_13')!;
    // Block 13 trains its depthwise and pointwise kernels and its batch-norm gamma and beta.
    expect(block13.trainableParams).toBeGreaterThan(0);
    expect(countTrainableParams(model)).toBe(block13.trainableParams + 256 * 3 + 3);
    expect(blocks.find((b) => b.name === 'block_12')!.trainableParams).toBe(0);

    unfreeze(model);
    expect(countTrainableParams(model)).toBe(all);
    freeze(model, { upTo: 'conv_pw_13_relu' });
    expect(countTrainableParams(model)).toBe(256 * 3 + 3);
    model.dispose();
  });

  it('keeps batch norm frozen when asked, training the convolutions around it', () => {
    const model = smallMobileNet();
    freeze(model);
    unfreeze(model, { from: 'block_12', keepBatchNormFrozen: true });
    const trainable = model.layers.filter((layer) => layer.trainable && layer.weights.length);
    const names = trainable.map((layer) => layer.name);
    expect(names).toEqual(['conv_dw_12', 'conv_pw_12', 'conv_dw_13', 'conv_pw_13', 'predictions']);
    // The kernels of blocks 12 and 13 (depthwise 3×3 over 128 and 256 channels, pointwise
    // 128→256 and 256→256: alpha 0.25 of 512 and 1024) and the head; no gamma or beta.
    expect(countTrainableParams(model)).toBe(9 * 128 + 128 * 256 + 9 * 256 + 256 * 256 + 256 * 3 + 3);
    model.dispose();
  });

  it('names the layers when asked for one that does not exist', () => {
    const model = smallMobileNet();
    expect(() => unfreeze(model, { from: 'block_99' })).toThrow(/has no layer named "block_99".*conv1/);
    expect(() => freeze(model, { upTo: 'nope' })).toThrow(/has no layer named "nope"/);
    model.dispose();
  });
});

describe('truncateAt', () => {
  it('ends a feature extractor at the named layer, sharing its weights', () => {
    const model = smallMobileNet();
    const features = truncateAt(tf, model, 'conv_pw_11_relu');
    expect(features.outputs[0].shape).toEqual([null, 2, 2, 128]);
    expect(features.getLayer('conv1').getWeights()[0]).toBe(model.getLayer('conv1').getWeights()[0]);
    expect(() => truncateAt(tf, model, 'conv_pw_99')).toThrow(/no layer named "conv_pw_99"/);
    model.dispose();
  });
});

describe('a frozen base in fit', () => {
  it('trains only the head: base weights and batch-norm statistics unchanged', async () => {
    // Cut after block 3: a deep, untrained MobileNet in inference mode shrinks its activations to
    // ~1e-20, and a head on such features would not move either.
    const base = truncateAt(tf, smallMobileNet(false), 'conv_pw_3_relu');
    freeze(base);
    const input = tf.input({ shape: [32, 32, 3] });
    const features = base.apply(input) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(features) as tf.SymbolicTensor;
    const head = tf.layers.dense({ units: 3, activation: 'softmax', name: 'head' });
    const model = tf.model({ inputs: input, outputs: head.apply(pooled) as tf.SymbolicTensor });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    expect(countTrainableParams(model)).toBe(32 * 3 + 3);

    const baseBefore = base.getWeights().map((w) => w.dataSync().slice());
    const headBefore = head.getWeights()[0].dataSync().slice();
    const xs = tf.randomUniform([8, 32, 32, 3], 0, 1, 'float32', 1);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    await model.fit(xs, ys, { epochs: 2, batchSize: 4 });

    const baseAfter = base.getWeights().map((w) => w.dataSync());
    expect(baseAfter.length).toBe(baseBefore.length);
    baseAfter.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(baseBefore[i])));
    const headAfter = head.getWeights()[0].dataSync();
    const headChange = Math.max(...headAfter.map((v, i) => Math.abs(v - headBefore[i])));
    expect(headChange).toBeGreaterThan(1e-3);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
