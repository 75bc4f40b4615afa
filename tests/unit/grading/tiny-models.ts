/**
 * Tiny models with fixed weights for the grader's tests, on tfjs's CPU backend (instant at this size).
 */
import * as tf from '@tensorflow/tfjs';

export { tf };

export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/**
 * [2,2,1] images → flatten → dense(3, softmax) whose kernel sends pixel p (p = 0, 1, 2) to class p
 * with logit 10: an image lit at pixel p is predicted as class p with probability
 * e^10 / (e^10 + 2) ≈ 0.99991. Pixel 3 is ignored. 4·3 + 3 = 15 parameters.
 */
export function pixelClassifier(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [2, 2, 1] }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  const kernel = tf.tensor2d([10, 0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0], [4, 3]);
  const bias = tf.zeros([3]);
  model.layers[1].setWeights([kernel, bias]);
  kernel.dispose();
  bias.dispose();
  return model;
}

/** [2,2,1] → dense(1, activation) with kernel [10, −10, 0, 0]: pixel 0 → p ≈ 1, pixel 1 → p ≈ 0, pixel 2 → 0.5. */
export function binaryPixelModel(activation: 'sigmoid' | 'linear' = 'sigmoid'): tf.Sequential {
  const model = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [2, 2, 1] }), tf.layers.dense({ units: 1, activation })],
  });
  const kernel = tf.tensor2d([10, -10, 0, 0], [4, 1]);
  const bias = tf.zeros([1]);
  model.layers[1].setWeights([kernel, bias]);
  kernel.dispose();
  bias.dispose();
  return model;
}

/** [n,2,2,1] images, image i lit (value 1) at pixel hotPixels[i]. */
export function litImages(hotPixels: readonly number[]): tf.Tensor4D {
  const values = new Float32Array(hotPixels.length * 4);
  hotPixels.forEach((p, i) => (values[i * 4 + p] = 1));
  return tf.tensor4d(values, [hotPixels.length, 2, 2, 1]);
}
