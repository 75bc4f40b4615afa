/**
 * The MobileNet builders against keras.applications: the parameter counts Keras reports, the
 * widths its rounding gives, where v2 adds residuals and keeps bottlenecks linear; the blocks the
 * transfer helpers see; and the checks a learner's wrong option meets.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { createLabModels } from '../../../src/core/models/lab-models';
import { buildMobileNetV1, buildMobileNetV2, makeDivisible } from '../../../src/core/models/mobilenet';
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

const outputChannels = (model: tf.LayersModel, layerName: string) => {
  const shape = model.getLayer(layerName).outputShape as number[];
  return shape[shape.length - 1];
};

describe('MobileNet parameter counts match keras.applications', () => {
  it('v1 α 1.0 at 224×224 with the top: 4,253,864; v2 α 1.0: 3,538,984', () => {
    const v1 = buildMobileNetV1(tf);
    const v2 = buildMobileNetV2(tf);
    expect(v1.countParams()).toBe(4_253_864);
    expect(v2.countParams()).toBe(3_538_984);
    v1.dispose();
    v2.dispose();
  });

  it('rounds v2 widths to multiples of 8 as Keras does, and keeps 1280 features below α 1', () => {
    expect([
      makeDivisible(32 * 0.35),
      makeDivisible(16 * 0.35),
      makeDivisible(Math.trunc(320 * 0.35)),
    ]).toEqual([16, 8, 112]);
    // never more than 10 % below the asked-for width
    expect(makeDivisible(20)).toBe(24);
    const narrow = buildMobileNetV2(tf, { alpha: 0.35, inputShape: [96, 96, 3], includeTop: false });
    expect(outputChannels(narrow, 'Conv1')).toBe(16);
    expect(outputChannels(narrow, 'block_16_project')).toBe(112);
    expect(outputChannels(narrow, 'out_relu')).toBe(1280);
    expect(narrow.outputs[0].shape).toEqual([null, 3, 3, 1280]);
    narrow.dispose();
    const wide = buildMobileNetV2(tf, { alpha: 1.4, inputShape: [64, 64, 3], includeTop: false });
    expect(outputChannels(wide, 'out_relu')).toBe(1792);
    wide.dispose();
  });
});

describe('MobileNet v2 structure', () => {
  let model: tf.LayersModel;
  beforeAll(() => {
    model = buildMobileNetV2(tf, { alpha: 0.35, inputShape: [64, 64, 3], classes: 4 });
  });

  it('adds the input to the output in the ten blocks that keep size and width', () => {
    const adds = model.layers.filter((layer) => layer.getClassName() === 'Add').map((layer) => layer.name);
    expect(adds).toEqual([2, 4, 5, 7, 8, 9, 11, 12, 14, 15].map((id) => `block_${id}_add`));
  });

  it('keeps every bottleneck linear: nothing activates a projection', () => {
    for (const layer of model.layers.filter((l) => l.name.endsWith('project_BN'))) {
      const consumers = model.layers.filter((other) =>
        other.inboundNodes.some((node) => node.inboundLayers.includes(layer)),
      );
      expect(consumers.length, layer.name).toBeGreaterThan(0);
      for (const consumer of consumers) expect(consumer.getClassName(), layer.name).not.toBe('ReLU');
    }
  });

  it('expands six times in blocks 1 to 16 and not in block 0', () => {
    expect(() => model.getLayer('expanded_conv_expand')).toThrow();
    expect(outputChannels(model, 'block_1_expand')).toBe(6 * outputChannels(model, 'expanded_conv_project'));
    expect(outputChannels(model, 'block_16_expand')).toBe(6 * outputChannels(model, 'block_15_project'));
  });

  it('groups into the stem, blocks 0 to 16 and the top, for truncate, freeze and unfreeze', () => {
    const blocks = listBlocks(model);
    expect(blocks.map((b) => b.name)).toEqual([
      'stem',
      ...Array.from({ length: 17 }, (_, i) => `block_${i}`),
      'Conv_1',
      'Conv_1_bn',
      'out_relu',
      'global_pool',
      'predictions',
    ]);
    expect(blocks[0].layers).toEqual(['Conv1', 'bn_Conv1', 'Conv1_relu']);
    expect(blocks.find((b) => b.name === 'block_2')!.layers).toEqual([
      'block_2_expand',
      'block_2_expand_BN',
      'block_2_expand_relu',
      'block_2_depthwise',
      'block_2_depthwise_BN',
      'block_2_depthwise_relu',
      'block_2_project',
      'block_2_project_BN',
      'block_2_add',
    ]);
    expect(blocks.reduce((n, b) => n + b.params, 0)).toBe(model.countParams());

    const base = truncateAt(tf, model, 'out_relu');
    freeze(base);
    expect(countTrainableParams(base)).toBe(0);
    unfreeze(base, { from: 'block_15', keepBatchNormFrozen: true });
    const opened = listBlocks(base)
      .filter((b) => b.trainableParams > 0)
      .map((b) => b.name);
    expect(opened).toEqual(['block_15', 'block_16', 'Conv_1']);
  });

  afterAll(() => model.dispose());
});

describe('lab.models builders', () => {
  const models = createLabModels(tf);

  it('builds either version for the learner, any width and input', () => {
    const v1 = models.mobileNetV1({ alpha: 0.25, inputShape: [32, 32, 1], classes: 5 });
    const v2 = models.mobileNetV2({ alpha: 0.5, inputShape: [48, 48, 3], classes: 2 });
    expect(v1.outputs[0].shape).toEqual([null, 5]);
    expect(v2.outputs[0].shape).toEqual([null, 2]);
    expect(v2.predict(tf.zeros([1, 48, 48, 3])) instanceof tf.Tensor).toBe(true);
    v1.dispose();
    v2.dispose();
  });

  it('says which option is wrong', () => {
    expect(() => models.mobileNetV2({ alpha: 0 })).toThrow('mobileNetV2: alpha must be a number above 0');
    expect(() => models.mobileNetV1({ alpha: '0.5' as never })).toThrow(
      'mobileNetV1: alpha must be a number',
    );
    expect(() => models.mobileNetV2({ inputShape: [96, 96] as never })).toThrow(
      'mobileNetV2: inputShape must be [height, width, channels] in whole numbers, got [96,96]',
    );
    expect(() => models.mobileNetV2({ classes: 2.5 })).toThrow('mobileNetV2: classes must be a whole number');
  });
});
