/**
 * The app's MobileNets (src/core/models) on the runtime's WASM kernels against the CPU backend: the
 * loss and every weight's gradient of one training-mode batch. The kernels themselves are tested in
 * packages/runtime/test (layer-kernels.test.ts has the layer-level cases); this case needs the
 * app's model builders, which the runtime package does not import.
 */
import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../../src/core/shared/shuffle';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { buildMobileNetV1, buildMobileNetV2 } from '../../../src/core/models/mobilenet';
import {
  randomValues,
  relativeMaxError,
  runOn,
  seededRandom,
} from '../../../packages/runtime/test/backend-compare';

describe('MobileNet end to end on wasm matches the CPU backend', () => {
  const builders = {
    v1: () => buildMobileNetV1(tf, { alpha: 0.25, inputShape: [32, 32, 3], classes: 3, dropout: 0 }),
    // residual adds, linear bottlenecks (batch norm with no ReLU6 after it), six-fold expansion
    v2: () => buildMobileNetV2(tf, { alpha: 0.35, inputShape: [32, 32, 3], classes: 3 }),
  };
  test.each(['v1', 'v2'] as const)(
    '%s: loss and the gradient of every weight, one training-mode batch',
    async (version) => {
      const build = builders[version];
      const random = seededRandom(1234);
      const shape = [8, 32, 32, 3];
      const x = randomValues(random, tf.util.sizeFromShape(shape)).map((v) => v + 0.5);
      const labels = Array.from({ length: 8 }, (_, i) => i % 3);
      // the same initial weights on both backends: drawn once (tfjs initialisers draw from
      // Math.random: seeded, so that the case does not depend on the tests run before it), set on
      // each model
      await initNodeBackend('cpu');
      const unseeded = Math.random;
      Math.random = mulberry32(1);
      const model0 = build();
      Math.random = unseeded;
      const weights = model0.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync().slice() }));
      model0.dispose();
      const compute = () => {
        const model = build();
        model.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
        const xs = tf.tensor(x, shape);
        const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
        const { value, grads } = tf.variableGrads(() => {
          const p = model.apply(xs, { training: true }) as tf.Tensor;
          return tf.mean(tf.sum(tf.mul(ys, tf.log(p)), -1)).neg() as tf.Scalar;
        });
        const result = [value, ...model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name])];
        model.dispose();
        return result;
      };
      const expected = await runOn('cpu', compute);
      const actual = await runOn('wasm', compute);
      expect(actual.length).toBe(expected.length);
      for (let i = 0; i < expected.length; i++) {
        // float32 differences grow through the layers and their batch statistics (about 5e-5
        // here); other draws can put a value within rounding of a ReLU6 edge on one backend only,
        // which changes that value's gradient on one side: a difference between backends, not an
        // error
        expect(relativeMaxError(actual[i].values, expected[i].values), `result ${i}`).toBeLessThan(1e-3);
      }
    },
    60_000,
  );
});
