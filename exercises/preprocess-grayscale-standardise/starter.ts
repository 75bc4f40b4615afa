import * as tf from '@tensorflow/tfjs';

export function toGrayscale(images: tf.Tensor4D): tf.Tensor4D {
  // TODO: the eye does not weigh the three channels equally.
  return tf.tidy(() => tf.mean(images, -1, true) as tf.Tensor4D);
}

export function standardise(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    // TODO: each image on its own, not the whole batch; and guard flat images.
    const { mean, variance } = tf.moments(images);
    return tf.div(tf.sub(images, mean), tf.sqrt(variance)) as tf.Tensor4D;
  });
}
