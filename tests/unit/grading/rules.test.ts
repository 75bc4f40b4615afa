import { beforeAll, describe, expect, it } from 'vitest';
import { checkRules, checkTargets, targetAttainment } from '../../../src/core/grading/rules';
import { TargetSchema, type Rule } from '../../../src/core/exercises/schema';
import { tf, useCpuBackend } from './tiny-models';

beforeAll(useCpuBackend);

/**
 * conv(2 filters, 3×3) → conv(2, 3×3) → flatten → dense(10):
 * 3·3·1·2 + 2 = 20, 3·3·2·2 + 2 = 38, flatten 24·24·2 = 1152, 1152·10 + 10 = 11,530; total 11,588.
 */
function twoConvModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 2, kernelSize: 3 }),
      tf.layers.conv2d({ filters: 2, kernelSize: 3 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

describe('checkRules', () => {
  it('checks the parameter budget with both figures in the detail', () => {
    const model = twoConvModel();
    const [over, under] = checkRules(
      model,
      [
        { type: 'maxParams', value: 10_000 },
        { type: 'maxParams', value: 11_588 },
      ],
      { epochs: 1 },
    );
    expect(over).toMatchObject({
      id: 'rule:maxParams',
      passed: false,
      detail: '11,588 parameters, budget 10,000',
    });
    expect(under).toMatchObject({ passed: true, detail: '11,588 parameters, budget 11,588' });
    model.dispose();
  });

  it('finds layers by Keras class name, case-insensitively, and counts them', () => {
    const model = twoConvModel();
    const rules: Rule[] = [
      { type: 'requiresLayer', layer: 'conv2d' },
      { type: 'requiresLayer', layer: 'MaxPooling2D' },
      { type: 'forbidsLayer', layer: 'Dense' },
      { type: 'forbidsLayer', layer: 'Dropout' },
    ];
    const [conv, pool, dense, dropout] = checkRules(model, rules, { epochs: 1 });
    expect(conv).toMatchObject({ id: 'rule:requiresLayer:conv2d', passed: true, detail: 'found Conv2D ×2' });
    expect(pool.passed).toBe(false);
    expect(pool.detail).toBe('no MaxPooling2D layer found (the model has Conv2D, Flatten, Dense)');
    expect(dense).toMatchObject({ passed: false, detail: 'found Dense ×1, which this exercise forbids' });
    expect(dropout).toMatchObject({ passed: true, detail: 'no Dropout layer' });
    model.dispose();
  });

  it('finds a layer nested in a sub-model', () => {
    const features = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
      ],
    });
    const model = tf.sequential({
      layers: [features, tf.layers.flatten(), tf.layers.dense({ units: 3 })],
    });
    const [conv, pool] = checkRules(
      model,
      [
        { type: 'requiresLayer', layer: 'Conv2D' },
        { type: 'requiresLayer', layer: 'maxpooling2d' },
      ],
      { epochs: 1 },
    );
    expect(conv).toMatchObject({ passed: true, detail: 'found Conv2D ×1' });
    expect(pool).toMatchObject({ passed: true, detail: 'found MaxPooling2D ×1' });
    model.dispose();
  });

  it('compares the input shape without the batch dimension and the output by its last dimension', () => {
    const model = twoConvModel();
    const [inputOk, inputWrong, outputOk, outputWrong] = checkRules(
      model,
      [
        { type: 'inputShape', shape: [28, 28, 1] },
        { type: 'inputShape', shape: [32, 32, 3] },
        { type: 'outputUnits', units: 10 },
        { type: 'outputUnits', units: 2 },
      ],
      { epochs: 1 },
    );
    expect(inputOk).toMatchObject({ passed: true, detail: 'input shape [null,28,28,1], expected [28,28,1]' });
    expect(inputWrong).toMatchObject({
      passed: false,
      detail: 'input shape [null,28,28,1], expected [32,32,3]',
    });
    expect(outputOk).toMatchObject({ passed: true, detail: 'output shape [null,10]: 10 units, expected 10' });
    expect(outputWrong).toMatchObject({
      passed: false,
      detail: 'output shape [null,10]: 10 units, expected 2',
    });
    model.dispose();
  });

  it('checks the epoch limit against the run', () => {
    const model = twoConvModel();
    const rules: Rule[] = [{ type: 'maxEpochs', value: 5 }];
    expect(checkRules(model, rules, { epochs: 5 })[0]).toMatchObject({
      id: 'rule:maxEpochs',
      passed: true,
      detail: 'trained 5 epochs, limit 5',
    });
    expect(checkRules(model, rules, { epochs: 6 })[0]).toMatchObject({
      passed: false,
      detail: 'trained 6 epochs, limit 5',
    });
    model.dispose();
  });
});

describe('checkTargets', () => {
  const atLeast = TargetSchema.parse({ metric: 'accuracy', atLeast: 0.9 });
  const lossAtMost = TargetSchema.parse({ metric: 'loss', split: 'validation', atMost: 0.4 });

  it('compares each target with the metric of its split', () => {
    const [accuracyCheck, lossCheck] = checkTargets([atLeast, lossAtMost], {
      test: { accuracy: 0.9123 },
      validation: { loss: 0.5 },
    });
    expect(accuracyCheck).toEqual({
      id: 'target:accuracy:test',
      label: 'Test accuracy at least 0.9',
      passed: true,
      detail: 'test accuracy 0.9123, target at least 0.9',
    });
    expect(lossCheck).toMatchObject({
      id: 'target:loss:validation',
      passed: false,
      detail: 'validation loss 0.5000, target at most 0.4',
    });
  });

  it('fails a metric that was not measured, with a hint', () => {
    const [check] = checkTargets([lossAtMost], { test: { loss: 0.1 } });
    expect(check.passed).toBe(false);
    expect(check.detail).toBe('validation loss was not measured (pass validationData to model.fit)');
  });

  it('measures attainment as value/threshold (at least) or threshold/value (at most), capped at 1', () => {
    expect(targetAttainment(atLeast, 0.72)).toBeCloseTo(0.8, 12);
    expect(targetAttainment(atLeast, 0.95)).toBe(1);
    expect(targetAttainment(lossAtMost, 0.8)).toBeCloseTo(0.5, 12);
    expect(targetAttainment(lossAtMost, 0.2)).toBe(1);
    expect(targetAttainment(atLeast, undefined)).toBe(0);
  });
});
