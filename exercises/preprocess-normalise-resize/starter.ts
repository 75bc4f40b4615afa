import * as tf from '@tensorflow/tfjs';

export function prepareImages(images: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  return tf.tidy(() => {
    const scaled = tf.div(tf.cast(images, 'float32'), 255) as tf.Tensor4D;
    // TODO: resize to height × width with bilinear interpolation.
    void height;
    void width;
    return scaled;
  });
}
