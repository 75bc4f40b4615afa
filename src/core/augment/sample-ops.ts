/**
 * The warp sampler built from tf ops, for the GPU backends (webgpu, webgl), where the pixels live on
 * the device: arithmetic, floor, clip, cast, compare, select and gather, which every backend has.
 * It follows TensorFlow's `ImageProjectiveTransformV3`: map the input coordinate by the fill mode,
 * then read one pixel (nearest) or four (bilinear), each one outside the image reading the fill value.
 * sample-host.ts does the same in plain loops for the backends that keep pixels in host memory.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';
import type { FillMode } from './options';
import type { Affine, WarpSettings } from './warp';

/** The output grid's x and y coordinates, row-major, as [1, h·w] each. */
function outputGrid(
  tf: TF,
  height: number,
  width: number,
): { gridX: tfType.Tensor2D; gridY: tfType.Tensor2D } {
  const xs = new Float32Array(height * width);
  const ys = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      xs[y * width + x] = x;
      ys[y * width + x] = y;
    }
  }
  return { gridX: tf.tensor2d(xs, [1, height * width]), gridY: tf.tensor2d(ys, [1, height * width]) };
}

/** Brings coordinates outside [0, len - 1] back in, as TensorFlow's fill modes do ('constant' leaves them). */
function mapCoordinates(tf: TF, coord: tfType.Tensor2D, len: number, fillMode: FillMode): tfType.Tensor2D {
  const floorMod = (value: tfType.Tensor2D, period: number) =>
    tf.sub(value, tf.mul(tf.floor(tf.div(value, period)), period)) as tfType.Tensor2D;
  switch (fillMode) {
    case 'constant':
      return coord;
    case 'nearest':
      return tf.clipByValue(coord, 0, len - 1);
    case 'wrap':
      // [abcd] → [abcd|abcd|abcd]
      return tf.clipByValue(floorMod(coord, len), 0, len - 1);
    case 'reflect': {
      // [abcd] → [dcba|abcd|dcba]: fold the coordinate into one period of 2·len, then mirror the back half.
      if (len <= 1) return tf.zerosLike(coord);
      const folded = floorMod(coord, 2 * len);
      const mirrored = tf.where(tf.less(folded, len), folded, tf.sub(2 * len - 1, folded));
      return tf.clipByValue(mirrored, 0, len - 1) as tfType.Tensor2D;
    }
  }
}

/** Resamples `images` by one affine per image into [n, outHeight, outWidth, c]; no gradient of its own. */
export function sampleWithOps(
  tf: TF,
  images: tfType.Tensor4D,
  affines: readonly Affine[],
  settings: WarpSettings,
  [outHeight, outWidth]: readonly [number, number],
): tfType.Tensor4D {
  const [n, height, width, channels] = images.shape;
  const outSize = outHeight * outWidth;
  return tf.tidy(() => {
    const { gridX, gridY } = outputGrid(tf, outHeight, outWidth);
    const column = (k: number) =>
      tf.tensor2d(
        affines.map((a) => a[k]),
        [n, 1],
      );
    // Input coordinates of every output pixel: [n, h·w].
    const rawX = tf.add(
      tf.add(tf.mul(column(0), gridX), tf.mul(column(1), gridY)),
      column(2),
    ) as tfType.Tensor2D;
    const rawY = tf.add(
      tf.add(tf.mul(column(3), gridX), tf.mul(column(4), gridY)),
      column(5),
    ) as tfType.Tensor2D;
    const inX = mapCoordinates(tf, rawX, width, settings.fillMode);
    const inY = mapCoordinates(tf, rawY, height, settings.fillMode);
    const pixels = tf.reshape(images, [n * height * width, channels]);
    const imageOffsets = tf.tensor2d(
      affines.map((_, i) => i * height * width),
      [n, 1],
      'int32',
    );
    /** Reads the pixel at integer (y, x) of each image, or the fill value where that is outside. */
    const read = (y: tfType.Tensor2D, x: tfType.Tensor2D): tfType.Tensor3D => {
      const inside = tf.cast(
        tf.logicalAnd(
          tf.logicalAnd(tf.greaterEqual(x, 0), tf.lessEqual(x, width - 1)),
          tf.logicalAnd(tf.greaterEqual(y, 0), tf.lessEqual(y, height - 1)),
        ),
        'float32',
      );
      const row = tf.cast(tf.clipByValue(y, 0, height - 1), 'int32');
      const col = tf.cast(tf.clipByValue(x, 0, width - 1), 'int32');
      const index = tf.add(tf.add(tf.mul(row, tf.scalar(width, 'int32')), col), imageOffsets);
      const values = tf.reshape(tf.gather(pixels, tf.reshape(index, [-1])), [n, outSize, channels]);
      const weightInside = tf.expandDims(inside, 2);
      const read = tf.mul(values, weightInside);
      return (
        settings.fillValue === 0 ? read : tf.add(read, tf.mul(tf.sub(1, weightInside), settings.fillValue))
      ) as tfType.Tensor3D;
    };
    let out: tfType.Tensor3D;
    if (settings.interpolation === 'nearest') {
      // floor(v + 0.5): halves round up, as Math.round does, on every backend.
      const round = (v: tfType.Tensor2D) => tf.floor(tf.add(v, 0.5)) as tfType.Tensor2D;
      out = read(round(inY), round(inX));
    } else {
      const x0 = tf.floor(inX);
      const y0 = tf.floor(inY);
      const x1 = tf.add(x0, 1) as tfType.Tensor2D;
      const y1 = tf.add(y0, 1) as tfType.Tensor2D;
      const wx1 = tf.expandDims(tf.sub(inX, x0), 2);
      const wy1 = tf.expandDims(tf.sub(inY, y0), 2);
      const wx0 = tf.sub(1, wx1);
      const wy0 = tf.sub(1, wy1);
      const top = tf.add(tf.mul(read(y0, x0), wx0), tf.mul(read(y0, x1), wx1));
      const bottom = tf.add(tf.mul(read(y1, x0), wx0), tf.mul(read(y1, x1), wx1));
      out = tf.add(tf.mul(top, wy0), tf.mul(bottom, wy1)) as tfType.Tensor3D;
    }
    return tf.reshape(out, [n, outHeight, outWidth, channels]) as tfType.Tensor4D;
  });
}
