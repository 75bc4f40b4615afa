/**
 * The WASM training kernels against the CPU backend's reference kernels, on many seeded random shapes:
 * strides 1 and 2, same / valid / explicit padding, dilation 2, odd sizes, channel multipliers 1 and
 * 2, batch 1 and 3. Tolerance: the largest absolute difference, relative to the largest magnitude of
 * the CPU result, is below 1e-4 (float32 sums of at most a few hundred products).
 */
import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { randomValues, relativeMaxError, runOn, seededRandom } from './backend-compare';

const TOLERANCE = 1e-4;

/** Runs one kernel by name on the current backend (attrs typed loosely, as kernels take them). */
function runKernel(name: string, inputs: tf.NamedTensorMap, attrs: object): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs as unknown as NamedAttrMap) as tf.Tensor;
}

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  /** output channels for a dense convolution, channel multiplier for a depthwise one */
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  stride: number;
  dilation: number;
  pad: Pad;
  /** share of the output gradient's values set to zero (a gradient behind ReLU and max pooling) */
  zeroShare?: number;
}

const explicitPad: Pad = [
  [0, 0],
  [1, 2],
  [2, 0],
  [0, 0],
];

/** Every combination the task names, with odd sizes and a few rectangular filters. */
function cases(
  kind: 'dense' | 'depthwise',
  channels: {
    inChannels: number[];
    outChannels?: number[];
    zeroShare?: number;
    seed?: number;
    /** filter heights and widths to pick from (default [1, 2, 3] by [3, 2]) */
    filterSizes?: [number[], number[]];
  } = {
    inChannels: [1, 3, 4],
  },
): ConvCase[] {
  const list: ConvCase[] = [];
  const random = seededRandom(channels.seed ?? (kind === 'dense' ? 7 : 11));
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  for (const batch of [1, 3]) {
    for (const stride of [1, 2]) {
      for (const dilation of [1, 2]) {
        if (stride > 1 && dilation > 1) {
          continue; // tfjs refuses a convolution with both
        }
        for (const pad of ['same', 'valid', explicitPad] as Pad[]) {
          const outChoices = kind === 'depthwise' ? [1, 2] : [pick(channels.outChannels ?? [1, 4, 5])];
          for (const outChannels of outChoices) {
            list.push({
              batch,
              height: pick([7, 8, 9, 11]),
              width: pick([6, 9, 10]),
              inChannels: pick(channels.inChannels),
              outChannels,
              filterHeight: pick(channels.filterSizes?.[0] ?? [1, 2, 3]),
              filterWidth: pick(channels.filterSizes?.[1] ?? [3, 2]),
              stride,
              dilation,
              pad,
              ...(channels.zeroShare === undefined ? {} : { zeroShare: channels.zeroShare }),
            });
          }
        }
      }
    }
  }
  return list;
}

function describeCase(c: ConvCase): string {
  const pad = typeof c.pad === 'string' ? c.pad : 'explicit';
  const zeros = c.zeroShare === undefined ? '' : `, dy ${Math.round(100 * c.zeroShare)}% zeros`;
  return (
    `x ${c.batch}x${c.height}x${c.width}x${c.inChannels}, filter ${c.filterHeight}x${c.filterWidth}` +
    ` out ${c.outChannels}, stride ${c.stride}, dilation ${c.dilation}, ${pad}${zeros}`
  );
}

function outSize(c: ConvCase): [number, number] {
  const info = tf.backend_util.computeConv2DInfo(
    [c.batch, c.height, c.width, c.inChannels],
    [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels],
    c.stride,
    c.dilation,
    c.pad,
  );
  return [info.outHeight, info.outWidth];
}

async function expectSameOnBothBackends(
  compute: () => tf.Tensor | tf.Tensor[],
  reference: () => tf.Tensor | tf.Tensor[] = compute,
) {
  const expected = await runOn('cpu', reference);
  const actual = await runOn('wasm', compute);
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(actual[i].shape).toEqual(expected[i].shape);
    expect(relativeMaxError(actual[i].values, expected[i].values), `result ${i}`).toBeLessThan(TOLERANCE);
  }
}

/**
 * A filter dilated by d equals an undilated filter with d - 1 zeros between its taps. The CPU
 * backend's gradient kernels ignore dilation, so dilated cases are checked against its undilated
 * kernels on this zero-inserted filter (and, for the filter gradient, its taps at multiples of d).
 */
function zeroInsertedFilter(filter: tf.Tensor4D, d: number): tf.Tensor4D {
  const [kh, kw, a, b] = filter.shape;
  const spread = tf.pad(filter.reshape([kh, 1, kw, 1, a, b]), [
    [0, 0],
    [0, d - 1],
    [0, 0],
    [0, d - 1],
    [0, 0],
    [0, 0],
  ]);
  return (spread.reshape([kh * d, kw * d, a, b]) as tf.Tensor4D).slice(
    [0, 0, 0, 0],
    [(kh - 1) * d + 1, (kw - 1) * d + 1, a, b],
  );
}

function tapsOfDilatedFilter(grad: tf.Tensor, d: number): tf.Tensor {
  return tf.stridedSlice(grad, [0, 0, 0, 0], grad.shape, [d, d, 1, 1]);
}

function tensorsFor(c: ConvCase, depthwise: boolean, seed: number) {
  const random = seededRandom(seed);
  const [oh, ow] = outSize(c);
  const filterShape: [number, number, number, number] = [
    c.filterHeight,
    c.filterWidth,
    c.inChannels,
    c.outChannels,
  ];
  const dyChannels = depthwise ? c.inChannels * c.outChannels : c.outChannels;
  const xShape: [number, number, number, number] = [c.batch, c.height, c.width, c.inChannels];
  const dyShape: [number, number, number, number] = [c.batch, oh, ow, dyChannels];
  const xValues = randomValues(random, tf.util.sizeFromShape(xShape));
  const filterValues = randomValues(random, tf.util.sizeFromShape(filterShape));
  const dyValues = randomValues(random, tf.util.sizeFromShape(dyShape));
  if (c.zeroShare !== undefined) {
    for (let i = 0; i < dyValues.length; i++) {
      if (random() < c.zeroShare) dyValues[i] = 0;
    }
  }
  return {
    filterShape,
    xShape,
    x: () => tf.tensor4d(xValues, xShape),
    filter: () => tf.tensor4d(filterValues, filterShape),
    dy: () => tf.tensor4d(dyValues, dyShape),
  };
}

/**
 * Every path of our conv2d gradients: a matmul over gathered patches and col2im (the default), the
 * direct filter gradient for narrow patches (KH*KW*Cin <= Cout, vector blocks of 16 and 4 and a
 * scalar tail, also for at most 8 output channels), the 1x1 input gradient as a convolution, and the
 * sparse kernels for a mostly-zero dy with at least 8 input channels.
 */
const denseCaseGroups: [string, ConvCase[], number][] = [
  ['few channels', cases('dense'), 100],
  [
    'narrow patches, many outputs',
    cases('dense', { inChannels: [1, 2], outChannels: [16, 21, 35], seed: 8 }),
    200,
  ],
  ['wide patches, dense dy', cases('dense', { inChannels: [8, 11], outChannels: [4, 9], seed: 9 }), 300],
  [
    'pointwise 1x1 (MobileNet): dx as a 1x1 convolution, dW direct',
    cases('dense', {
      inChannels: [8, 13, 16],
      outChannels: [4, 9, 16, 24],
      filterSizes: [[1], [1]],
      seed: 13,
    }),
    700,
  ],
  [
    'eight output channels (direct, two input channels at a time: MobileNet first layer)',
    cases('dense', { inChannels: [1, 2, 3, 5], outChannels: [8], seed: 15 }),
    900,
  ],
  [
    'wide patches, sparse dy',
    cases('dense', { inChannels: [8, 13], outChannels: [3, 8], zeroShare: 0.8, seed: 10 }),
    400,
  ],
];

describe.each(denseCaseGroups)(
  'Conv2D gradient kernels on wasm match the CPU backend (%s)',
  (_group, list, seed) => {
    test.each(list.map((c, i) => [describeCase(c), c, i] as const))('%s', async (_name, c, i) => {
      const t = tensorsFor(c, false, seed + i);
      const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
      const d = c.dilation;
      const expandedShape = [
        (c.filterHeight - 1) * d + 1,
        (c.filterWidth - 1) * d + 1,
        c.inChannels,
        c.outChannels,
      ];
      await expectSameOnBothBackends(
        () => [
          runKernel(
            'Conv2DBackpropFilter',
            { x: t.x(), dy: t.dy() },
            {
              ...attrs,
              dilations: d,
              filterShape: t.filterShape,
            },
          ),
          runKernel(
            'Conv2DBackpropInput',
            { dy: t.dy(), filter: t.filter() },
            {
              ...attrs,
              dilations: d,
              inputShape: t.xShape,
            },
          ),
          tf.conv2d(t.x(), t.filter(), c.stride, c.pad, 'NHWC', d),
        ],
        () => [
          tapsOfDilatedFilter(
            runKernel(
              'Conv2DBackpropFilter',
              { x: t.x(), dy: t.dy() },
              {
                ...attrs,
                filterShape: expandedShape,
              },
            ),
            d,
          ),
          runKernel(
            'Conv2DBackpropInput',
            { dy: t.dy(), filter: zeroInsertedFilter(t.filter(), d) },
            {
              ...attrs,
              inputShape: t.xShape,
            },
          ),
          tf.conv2d(t.x(), t.filter(), c.stride, c.pad, 'NHWC', d),
        ],
      );
      if (c.dilation === 1) {
        // The whole chain tfjs layers use: fused conv2d + bias + relu, differentiated by the engine.
        await expectSameOnBothBackends(() => {
          const bias = tf.linspace(-0.5, 0.5, c.outChannels);
          const f = (x: tf.Tensor4D, w: tf.Tensor4D) =>
            tf.fused.conv2d({ x, filter: w, strides: c.stride, pad: c.pad, bias, activation: 'relu' }).sum();
          return tf.grads(f as (...args: tf.Tensor[]) => tf.Tensor)([t.x(), t.filter()]);
        });
      }
    });
  },
);

const depthwiseCaseGroups: [string, ConvCase[], number][] = [
  ['few channels', cases('depthwise'), 500],
  ['vector blocks and tails', cases('depthwise', { inChannels: [8, 9], seed: 12 }), 600],
  [
    'multiplier 1 in blocks of 16, 8 and 4 channels and a scalar tail (MobileNet)',
    cases('depthwise', {
      inChannels: [16, 24, 35, 12],
      seed: 14,
      filterSizes: [
        [3, 1, 5],
        [3, 2],
      ],
    }),
    800,
  ],
];

describe.each(depthwiseCaseGroups)(
  'Depthwise gradient kernels on wasm match the CPU backend (%s)',
  (_group, list, seed) => {
    test.each(list.map((c, i) => [describeCase(c), c, i] as const))('%s', async (_name, c, i) => {
      const t = tensorsFor(c, true, seed + i);
      const attrs = { strides: c.stride, dilations: c.dilation, pad: c.pad, dimRoundingMode: undefined };
      const d = c.dilation;
      const expandedShape = [
        (c.filterHeight - 1) * d + 1,
        (c.filterWidth - 1) * d + 1,
        c.inChannels,
        c.outChannels,
      ];
      await expectSameOnBothBackends(
        () => [
          runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x: t.x(), dy: t.dy() },
            {
              ...attrs,
              filterShape: t.filterShape,
            },
          ),
          runKernel(
            'DepthwiseConv2dNativeBackpropInput',
            { dy: t.dy(), filter: t.filter() },
            {
              ...attrs,
              inputShape: t.xShape,
            },
          ),
          tf.depthwiseConv2d(t.x(), t.filter(), c.stride, c.pad, 'NHWC', d),
        ],
        () => [
          tapsOfDilatedFilter(
            runKernel(
              'DepthwiseConv2dNativeBackpropFilter',
              { x: t.x(), dy: t.dy() },
              {
                ...attrs,
                dilations: 1,
                filterShape: expandedShape,
              },
            ),
            d,
          ),
          runKernel(
            'DepthwiseConv2dNativeBackpropInput',
            { dy: t.dy(), filter: zeroInsertedFilter(t.filter(), d) },
            { ...attrs, dilations: 1, inputShape: t.xShape },
          ),
          tf.depthwiseConv2d(t.x(), t.filter(), c.stride, c.pad, 'NHWC', d),
        ],
      );
      if (c.dilation === 1) {
        await expectSameOnBothBackends(() => {
          const f = (x: tf.Tensor4D, w: tf.Tensor4D) =>
            tf
              .relu6(tf.depthwiseConv2d(x, w, c.stride, c.pad))
              .square()
              .sum();
          return tf.grads(f as (...args: tf.Tensor[]) => tf.Tensor)([t.x(), t.filter()]);
        });
      }
    });
  },
);

describe('the other replaced kernels on wasm match the CPU backend', () => {
  const random = seededRandom(99);
  test.each([
    [
      [3, 1, 4],
      [2, 3, 1],
    ],
    [
      [1, 1, 1, 5],
      [3, 4, 2, 1],
    ],
    [
      [2, 3],
      [1, 1],
    ],
    [
      [2, 1, 3, 2],
      [1, 2, 2, 3],
    ],
  ])('Tile %j by %j', async (shape, reps) => {
    const values = randomValues(random, tf.util.sizeFromShape(shape));
    await expectSameOnBothBackends(() => tf.tile(tf.tensor(values, shape), reps));
  });

  test.each([
    [[3, 5, 7, 4], [2, 2], 2, 'valid'],
    [[2, 9, 8, 3], [3, 3], 2, 'same'],
    [[1, 7, 7, 2], [3, 3], 1, 'same'],
    [[2, 4, 6, 6], [2, 2], 2, 'valid'],
    [[2, 6, 4, 9], [2, 2], 2, 'same'],
  ] as const)('MaxPool gradient for x %j, pool %j, stride %d, %s', async (shape, pool, stride, pad) => {
    // Half the values are clipped to 0 (as behind a ReLU), so windows have ties.
    const values = randomValues(random, tf.util.sizeFromShape([...shape])).map((v) => Math.max(v, 0));
    const size: [number, number] = [pool[0], pool[1]];
    await expectSameOnBothBackends(() =>
      tf.grad((x: tf.Tensor) =>
        tf
          .maxPool(x as tf.Tensor4D, size, stride, pad)
          .square()
          .sum(),
      )(tf.tensor4d(values, [...shape] as [number, number, number, number])),
    );
  });

  test.each([
    [[4, 3, 5], [0, 1], false],
    [[4, 3, 5], [0], true],
    [[2, 6], [1], false],
    [[3, 4, 2, 5], [0, 1, 2], false],
  ] as const)('Sum and Mean of %j over %j (keepDims %s)', async (shape, axes, keepDims) => {
    const values = randomValues(random, tf.util.sizeFromShape([...shape]));
    await expectSameOnBothBackends(() => [
      tf.sum(tf.tensor(values, [...shape]), [...axes], keepDims),
      tf.mean(tf.tensor(values, [...shape]), [...axes], keepDims),
    ]);
  });

  test('ReLU and ReLU6 gradients, with values on the edges, NaN and infinities', async () => {
    const values = [...randomValues(random, 37).map((v) => v * 8), 0, 6, -0, NaN, Infinity, -Infinity, 5.999];
    const dyValues = [...randomValues(random, 37), 1, 2, 3, 4, 5, Infinity, NaN];
    await expectSameOnBothBackends(() => {
      const x = tf.tensor1d(values);
      const dy = tf.tensor1d(dyValues);
      const relu = tf.grad((t: tf.Tensor) => tf.relu(t))(x, dy);
      const clip = tf.grad((t: tf.Tensor) => tf.clipByValue(t, 0, 6))(x, dy);
      const relu6 = tf.grad((t: tf.Tensor) => tf.relu6(t).mul(t))(x, dy);
      // second order: d/dx of (d/dx sum(relu(x) * x))
      const second = tf.grad((t: tf.Tensor) =>
        tf
          .grad((u: tf.Tensor) => tf.relu(u).mul(u).sum())(t)
          .sum(),
      )(x);
      // NaN and infinities become distinct finite sentinels, so that the comparison sees them.
      return [relu, clip, relu6, second].map((g) =>
        tf.where(g.isNaN(), -99, tf.where(g.isInf(), tf.where(g.greater(0), -77, -55), g)),
      );
    });
  });

  test('Adam steps match (three steps: the moments and accumulated betas shape the later ones)', async () => {
    const start = [randomValues(random, 6 * 5), randomValues(random, 5)];
    const grads = [0, 1, 2].map(() => [randomValues(random, 6 * 5), randomValues(random, 5)]);
    await expectSameOnBothBackends(() => {
      const w = tf.variable(tf.tensor2d(start[0], [6, 5]), true, 'adam_test_w');
      const b = tf.variable(tf.tensor1d(start[1]), true, 'adam_test_b');
      const optimizer = tf.train.adam(0.01, 0.8, 0.95, 1e-6);
      grads.forEach(([gw, gb], step) => {
        const map = { adam_test_w: tf.tensor2d(gw, [6, 5]), adam_test_b: tf.tensor1d(gb) };
        // tfjs types the map form as variables, but Adam reads plain gradient tensors from it
        type Gradients = Parameters<typeof optimizer.applyGradients>[0];
        optimizer.applyGradients(
          step === 1
            ? Object.entries(map).map(([name, tensor]) => ({ name, tensor }))
            : (map as unknown as Gradients),
        );
      });
      const result = [w.clone(), b.clone(), tf.scalar(optimizer.iterations)];
      optimizer.dispose();
      tf.dispose([w, b]);
      return result;
    });
  });

  test.each([
    [[2, 3, 4, 5], [5]],
    [
      [2, 3, 4, 5],
      [1, 1, 1, 5],
    ],
    [
      [2, 3, 4, 6],
      [4, 6],
    ],
    [[3, 7], [7]],
  ] as const)(
    'element-wise ops of %j with a broadcast %j, both ways round',
    async (fullShape, vectorShape) => {
      const full = randomValues(random, tf.util.sizeFromShape([...fullShape]));
      const vector = randomValues(random, tf.util.sizeFromShape([...vectorShape])).map((v) => v + 2);
      await expectSameOnBothBackends(() => {
        const a = tf.tensor(full, [...fullShape]);
        const b = tf.tensor(vector, [...vectorShape]);
        return [tf.add(a, b), tf.sub(a, b), tf.sub(b, a), tf.mul(b, a), tf.div(a, b), tf.div(b, a)];
      });
    },
  );

  test('batch norm forward with and without scale and offset, and its gradients', async () => {
    const x = randomValues(random, 2 * 3 * 4 * 6);
    const stats = [0, 1, 2, 3].map(() => randomValues(random, 6).map((v) => v + 1.5));
    await expectSameOnBothBackends(() => {
      const input = tf.tensor4d(x, [2, 3, 4, 6]);
      const [mean, variance, offset, scale] = stats.map((s) => tf.tensor1d(s));
      const grads = tf.grads((xs: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, g: tf.Tensor) =>
        tf.batchNorm(xs, m, v, o, g, 0.001).square().sum(),
      )([input, mean, variance, offset, scale]);
      // as tfjs layers train it: statistics of the batch itself
      const training = tf.grads((xs: tf.Tensor, o: tf.Tensor, g: tf.Tensor) => {
        const moments = tf.moments(xs, [0, 1, 2]);
        return tf.batchNorm(xs, moments.mean, moments.variance, o, g, 0.001).mul(xs).sum();
      })([input, offset, scale]);
      return [
        ...training,
        tf.batchNorm(input, mean, variance, offset, scale, 0.001),
        tf.batchNorm(input, mean, variance, undefined, undefined, 0.01),
        ...grads,
      ];
    });
  });

  test('clones and same-dtype casts share data and outlive their source; other casts convert', async () => {
    const values = randomValues(random, 12);
    await expectSameOnBothBackends(() => {
      const source = tf.tensor2d(values, [3, 4]);
      const copies = [source.clone(), tf.cast(source, 'float32'), tf.cast(source, 'int32').toFloat()];
      source.dispose();
      return copies.map((c) => c.add(1));
    });
  });

  test('matmuls with transposes', async () => {
    const a = randomValues(random, 6 * 5);
    const b = randomValues(random, 5 * 4);
    await expectSameOnBothBackends(() => [
      tf.matMul(tf.tensor2d(a, [5, 6]), tf.tensor2d(b, [5, 4]), true, false),
      tf.matMul(tf.tensor2d(a, [6, 5]), tf.tensor2d(b, [4, 5]), false, true),
      tf.matMul(tf.tensor3d(a, [2, 5, 3]), tf.tensor3d(b, [2, 2, 5]), true, true),
      tf.fused.matMul({
        a: tf.tensor2d(a, [5, 6]),
        b: tf.tensor2d(b, [4, 5]),
        transposeA: true,
        transposeB: true,
        activation: 'relu',
      }),
    ]);
  });

  test('single products on our kernel: odd rows, column tails, a fused bias and ReLU, shapes kept', async () => {
    // our rowsTimesMatrix takes rows in pairs and columns 16 at a time: 7 rows and 37 columns
    // exercise both tails; [1, m, k] x [1, k, n] is still one product; other activations fall back
    const a = randomValues(random, 7 * 33);
    const b = randomValues(random, 33 * 37);
    const bias = randomValues(random, 37);
    await expectSameOnBothBackends(() => [
      tf.matMul(tf.tensor2d(a, [7, 33]), tf.tensor2d(b, [33, 37])),
      tf.matMul(tf.tensor2d(a, [33, 7]), tf.tensor2d(b, [33, 37]), true, false),
      tf.matMul(tf.tensor3d(a, [1, 7, 33]), tf.tensor3d(b, [1, 33, 37])),
      tf.matMul(tf.tensor2d(a, [7, 33]), tf.tensor3d(b, [1, 33, 37])),
      tf.matMul(tf.tensor2d(a.slice(0, 33), [1, 33]), tf.tensor2d(b.slice(0, 33), [33, 1])),
      ...(['linear', 'relu', 'elu'] as const).map((activation) =>
        tf.fused.matMul({
          a: tf.tensor2d(a, [7, 33]),
          b: tf.tensor2d(b, [33, 37]),
          bias: tf.tensor1d(bias),
          activation,
        }),
      ),
      // a dense layer's gradients go through the transposes and our kernel
      ...tf.grads((x: tf.Tensor, w: tf.Tensor) =>
        tf.fused
          .matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: tf.tensor1d(bias), activation: 'relu' })
          .sum(),
      )([tf.tensor2d(a, [7, 33]), tf.tensor2d(b, [33, 37])]),
    ]);
  });
});
