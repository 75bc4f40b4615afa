/**
 * The fused layer kernels on wasm (batch norm in training mode, ReLU with a maximum) against tfjs's
 * own layer code on the CPU backend, on seeded random shapes: rank 2 and 4, channel counts that are
 * and are not multiples of 4, batches of 1 to 5, statistics far from zero. Compared: outputs in
 * training and inference mode, moving averages after a training call, gradients with respect to
 * the input, gamma and beta (a loss that weights every output differently), and the ReLU6 edges
 * (0, the maximum, NaN, infinities); one batch has values around 200 with a spread of about 1 (the
 * statistics take one pass, shifted by the first row). Tolerance: largest absolute difference relative to the largest
 * CPU magnitude below 2e-4 (batch norm's input gradient subtracts two sums of up to 2,000 terms).
 */
import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../src/node-backend';
import { profileKernels } from '../src/kernel-profiler';
import { RELU6_GRAD } from '../src/wasm-kernels/relu6';
import { randomValues, relativeMaxError, runOn, seededRandom } from './backend-compare';

const TOLERANCE = 2e-4;

async function expectSameOnBothBackends(compute: () => tf.Tensor[]) {
  const expected = await runOn('cpu', compute);
  const actual = await runOn('wasm', compute);
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(actual[i].shape).toEqual(expected[i].shape);
    expect(relativeMaxError(actual[i].values, expected[i].values), `result ${i}`).toBeLessThan(TOLERANCE);
  }
}

/** NaN and infinities as distinct finite sentinels, so that the comparison sees them. */
function sentinels(t: tf.Tensor): tf.Tensor {
  return tf.where(t.isNaN(), -99, tf.where(t.isInf(), tf.where(t.greater(0), -77, -55), t));
}

describe('batch norm in training mode on wasm matches tfjs layers on the CPU backend', () => {
  const random = seededRandom(2024);
  test.each([
    [[2, 5, 4, 8], 'relu6', 3],
    [[3, 7, 5, 13], 'none', 3],
    [[1, 4, 4, 3], 'relu6', 3],
    [[5, 6, 3, 1], 'none', 3],
    [[4, 9], 'relu6', 3],
    [[64, 6, 6, 16], 'relu6', 3],
    [[8, 5, 5, 6], 'none', 200],
  ] as const)('x %j, then %s, values around %s', async (shape, activation, centre = 3) => {
    const channels = shape[shape.length - 1];
    const size = tf.util.sizeFromShape([...shape]);
    // an offset and a spread per channel, so mean and variance are far from 0 and 1
    const x = randomValues(random, size).map((v, i) => centre + (i % channels) + v * (1 + (i % 3)));
    const weights = [0, 1, 2, 3].map(() => randomValues(random, channels));
    const lossWeights = randomValues(random, size);
    await expectSameOnBothBackends(() => {
      const bn = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3 });
      bn.build([...shape]);
      bn.setWeights([
        tf.tensor1d(weights[0].map((v) => v + 1.2)), // gamma
        tf.tensor1d(weights[1]), // beta
        tf.tensor1d(weights[2]), // moving mean
        tf.tensor1d(weights[3].map((v) => v + 2)), // moving variance
      ]);
      const relu = tf.layers.reLU({ maxValue: 6 });
      const input = tf.variable(tf.tensor(x, [...shape]));
      const forward = (training: boolean) => {
        const y = bn.apply(input, { training }) as tf.Tensor;
        return activation === 'relu6' ? (relu.apply(y, { training }) as tf.Tensor) : y;
      };
      const inference = forward(false);
      const { value, grads } = tf.variableGrads(() =>
        forward(true)
          .mul(tf.tensor(lossWeights, [...shape]))
          .sum(),
      );
      const variables = [input, ...bn.trainableWeights.map((w) => w.read() as tf.Variable)];
      const result = [
        value,
        forward(true),
        inference,
        ...variables.map((v) => grads[v.name]),
        ...bn.nonTrainableWeights.map((w) => w.read().clone()),
      ];
      input.dispose();
      return result;
    });
  });

  test('moving averages follow over several training calls, and inference uses them', async () => {
    const shape = [4, 3, 3, 6];
    const steps = [0, 1, 2].map(() => randomValues(random, 4 * 3 * 3 * 6).map((v) => v * 3 + 1));
    await expectSameOnBothBackends(() => {
      const bn = tf.layers.batchNormalization({ momentum: 0.5 });
      for (const values of steps)
        tf.dispose(bn.apply(tf.tensor(values, shape), { training: true }) as tf.Tensor);
      const result = [
        ...bn.getWeights().map((w) => w.clone()),
        bn.apply(tf.tensor(steps[0], shape)) as tf.Tensor,
      ];
      return result;
    });
  });
});

describe('a ReLU6 after batch norm: its gradient folded into the batch norm gradient, or not', () => {
  const random = seededRandom(4242);
  const shape = [6, 4, 5, 12];
  const size = tf.util.sizeFromShape(shape);
  const x = randomValues(random, size).map((v) => v * 3 + 0.5);
  const w1 = randomValues(random, size);
  const w2 = randomValues(random, size);

  /** Gradients of a loss on ReLU6(BN(x)), and, with `branch`, also on BN(x) itself. */
  function gradients(branch: boolean): tf.Tensor[] {
    const bn = tf.layers.batchNormalization({});
    bn.build(shape);
    const relu = tf.layers.reLU({ maxValue: 6 });
    const input = tf.variable(tf.tensor(x, shape));
    const { value, grads } = tf.variableGrads(() => {
      const y = bn.apply(input, { training: true }) as tf.Tensor;
      const loss = (relu.apply(y) as tf.Tensor).mul(tf.tensor(w1, shape)).sum<tf.Scalar>();
      return branch ? loss.add<tf.Scalar>(y.mul(tf.tensor(w2, shape)).sum()) : loss;
    });
    const result = [
      value,
      grads[input.name],
      ...bn.trainableWeights.map((v) => grads[(v.read() as tf.Variable).name]),
    ];
    input.dispose();
    return result;
  }

  test.each([false, true])('with a second consumer of the batch norm output: %s', async (branch) => {
    await expectSameOnBothBackends(() => gradients(branch));
  });

  test('the separate ReLU6 gradient kernel runs only when batch norm has another consumer', async () => {
    await initNodeBackend('wasm');
    const calls: Record<string, number> = {};
    for (const branch of [false, true]) {
      const times = await profileKernels('wasm', async () => tf.dispose(gradients(branch)));
      calls[String(branch)] = times.find((t) => t.kernelName === RELU6_GRAD)?.calls ?? 0;
    }
    expect(calls).toEqual({ false: 0, true: 1 });
  });
});

describe('ReLU with a maximum on wasm matches tfjs layers on the CPU backend', () => {
  const random = seededRandom(77);
  test('values and gradients, edges, NaN and infinities included', async () => {
    const values = [
      ...randomValues(random, 45).map((v) => v * 8),
      0,
      6,
      -0,
      NaN,
      Infinity,
      -Infinity,
      5.999,
      6.001,
    ];
    const dyValues = [...randomValues(random, 45), 1, 2, 3, 4, 5, Infinity, NaN, 7];
    await expectSameOnBothBackends(() => {
      const x = tf.tensor1d(values);
      const dy = tf.tensor1d(dyValues);
      const result: tf.Tensor[] = [];
      for (const maxValue of [6, 1.5]) {
        const layer = tf.layers.reLU({ maxValue });
        const apply = (t: tf.Tensor) => layer.apply(t) as tf.Tensor;
        result.push(apply(x), tf.grad(apply)(x, dy));
      }
      const plain = tf.layers.reLU();
      result.push(plain.apply(x) as tf.Tensor, tf.grad((t: tf.Tensor) => plain.apply(t) as tf.Tensor)(x, dy));
      return result.map(sentinels);
    });
  });
});

describe('the gradient of Mean on wasm matches the CPU backend', () => {
  const random = seededRandom(303);
  test.each([
    [[4, 3, 3, 8], [1, 2], false],
    [[2, 5, 7], [0], true],
    [[3, 4, 5], [0, 1, 2], false],
    [[6, 5], [-1], false],
  ] as const)(
    'x %j over axes %j (keepDims %s), and global average pooling',
    async (shape, axes, keepDims) => {
      const x = randomValues(random, tf.util.sizeFromShape([...shape]));
      const weights = randomValues(random, 64);
      await expectSameOnBothBackends(() => {
        const input = tf.tensor(x, [...shape]);
        const grad = tf.grad((t: tf.Tensor) => {
          const m = tf.mean(t, [...axes], keepDims);
          return m.mul(tf.tensor(weights.subarray(0, m.size), m.shape)).sum();
        })(input);
        const result = [grad];
        if (shape.length === 4) {
          const pool = tf.layers.globalAveragePooling2d({});
          result.push(tf.grad((t: tf.Tensor) => (pool.apply(t) as tf.Tensor).square().sum())(input));
        }
        return result;
      });
    },
  );
});

describe('Conv2D layers without bias on wasm: the plain conv2d op', () => {
  const random = seededRandom(555);
  const x = randomValues(random, 3 * 9 * 9 * 3);
  const w = randomValues(random, 9 * 9 * 3 * 6);

  /** Loss, and the gradients of the kernel and (when asked) of the input, for one Conv2D layer. */
  function gradients(useBias: boolean, strides: number, padding: 'same' | 'valid', withInput: boolean) {
    const layer = tf.layers.conv2d({ filters: 6, kernelSize: 3, strides, padding, useBias });
    layer.build([3, 9, 9, 3]);
    layer.setWeights([
      tf.tensor(w.subarray(0, 3 * 3 * 3 * 6), [3, 3, 3, 6]),
      ...(useBias ? [tf.linspace(-1, 1, 6)] : []),
    ]);
    const input = tf.tensor4d(x, [3, 9, 9, 3]);
    const source = withInput ? tf.variable(input) : input;
    const { value, grads } = tf.variableGrads(() =>
      (layer.apply(source) as tf.Tensor).square().sum<tf.Scalar>(),
    );
    const result = [
      value,
      ...Object.keys(grads)
        .sort()
        .map((k) => grads[k]),
    ];
    if (withInput) (source as tf.Variable).dispose();
    return result;
  }

  test.each([
    [false, 1, 'same'],
    [false, 2, 'same'],
    [false, 2, 'valid'],
    [true, 1, 'same'],
  ] as const)('bias %s, stride %d, %s: values and gradients', async (useBias, strides, padding) => {
    await expectSameOnBothBackends(() => [
      ...gradients(useBias, strides, padding, true),
      ...gradients(useBias, strides, padding, false),
    ]);
  });

  test('no input gradient is computed for a first layer on data', async () => {
    await initNodeBackend('wasm');
    const count = async (withInput: boolean) => {
      const times = await profileKernels('wasm', async () =>
        tf.dispose(gradients(false, 1, 'same', withInput)),
      );
      return times.find((t) => t.kernelName === 'Conv2DBackpropInput')?.calls ?? 0;
    };
    expect([await count(false), await count(true)]).toEqual([0, 1]);
  });
});
