import * as tf from '@tensorflow/tfjs';

const LUMA = [0.2989, 0.587, 0.114];

export function toGrayscale(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sum(tf.mul(images, tf.tensor1d(LUMA)), -1, true) as tf.Tensor4D);
}

export function standardise(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w, c] = images.shape;
    const { mean, variance } = tf.moments(images, [1, 2, 3], true);
    const floor = 1 / Math.sqrt(h * w * c);
    const std = tf.maximum(tf.sqrt(variance), floor);
    return tf.div(tf.sub(images, mean), std) as tf.Tensor4D;
  });
}
