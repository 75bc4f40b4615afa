/**
 * One image under a learner's augmentation pipeline, many times over: the page draws the result
 * as a grid so the learner sees what the model will see in training.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';

/** Augmentation layers (run in training mode, in order) or a function on a batch. */
export type AugmentationPipeline =
  readonly tfType.layers.Layer[] | ((batch: tfType.Tensor4D) => tfType.Tensor);

export interface PreviewOptions {
  /** Augmented copies to make. Default 9 (a 3×3 grid). */
  count?: number;
  /**
   * Fixes the randomness of our augmentation layers (layer i gets seed + i), so the same seed gives
   * the same grid. A function pipeline seeds its own ops; tfjs's GaussianNoise is never seeded.
   */
  seed?: number;
}

/**
 * Returns [count, h', w', c]: `count` copies of `image` [h, w, c], each augmented independently, clipped
 * to [0, 1] for drawing. The caller disposes the result; nothing else is left behind.
 */
export function previewAugmentations(
  tf: TF,
  image: tfType.Tensor3D,
  pipeline: AugmentationPipeline,
  options: PreviewOptions = {},
): tfType.Tensor4D {
  const count = options.count ?? 9;
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`previewAugmentations: count must be a positive integer, got ${String(options.count)}`);
  }
  if (image == null || image.rank !== 3) {
    throw new Error(
      `previewAugmentations expects one image [height, width, channels], got shape [${image?.shape?.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const copies = tf.tile(tf.expandDims(tf.cast(image, 'float32'), 0), [count, 1, 1, 1]) as tfType.Tensor4D;
    let out: tfType.Tensor;
    if (typeof pipeline === 'function') {
      out = pipeline(copies);
    } else {
      out = copies;
      pipeline.forEach((layer, i) => {
        const kwargs =
          options.seed === undefined ? { training: true } : { training: true, seed: options.seed + i };
        out = layer.apply(out, kwargs) as tfType.Tensor;
      });
    }
    if (out.rank !== 4 || out.shape[0] !== count) {
      throw new Error(
        `previewAugmentations: the pipeline must return a batch of ${count} images, got shape [${out.shape.join(', ')}]`,
      );
    }
    return tf.clipByValue(out, 0, 1) as tfType.Tensor4D;
  });
}
