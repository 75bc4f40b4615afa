/**
 * Geometric augmentations (flip, rotation, zoom, translation, crop) as one affine resampling per
 * image: each output pixel (x, y) reads the input at A·(x, y) + b, by nearest or bilinear
 * interpolation, with Keras's fill modes for points outside.
 *
 * Not `tf.image.transform`: in tfjs 4.22 its `Transform` kernel exists on every backend, but the
 * CPU kernel returns after the first image of a batch (the rest come back as the fill value) and
 * the WASM kernel's 'reflect' mode reads the wrong pixels left of the image. Nor `tf.reverse` for
 * flips: the CPU backend's Reverse takes seconds on one batch. We sample ourselves: in plain loops
 * where pixels live in host memory (cpu, wasm; sample-host.ts), with tf ops on the GPU backends
 * (sample-ops.ts).
 *
 * The gradient: neither sampler is differentiable as it stands (a data read-out, or `gather`, whose
 * gradient needs `UnsortedSegmentSum`, which WASM lacks), so the warp carries its own, the one
 * TensorFlow registers for `ImageProjectiveTransform`: the upstream gradient warped back by the
 * inverse transform (points that fell outside get none), scaled by the inverse's area factor.
 * Exact for whole-pixel warps (flips, crops, integer shifts), close for the others; where the layer
 * sits right after the input, as usual, no gradient is asked for at all.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';
import type { FillMode, Interpolation } from './options';
import { sampleOnHost } from './sample-host';
import { sampleWithOps } from './sample-ops';

/** Maps an output pixel (x, y) to the input point (a0·x + a1·y + a2, b0·x + b1·y + b2). */
export type Affine = readonly [number, number, number, number, number, number];

export interface WarpSettings {
  interpolation: Interpolation;
  fillMode: FillMode;
  fillValue: number;
}

/** Rotation by `angle` radians about the image centre, counter-clockwise for positive angles (Keras's matrix). */
export function rotationAffine(angle: number, height: number, width: number): Affine {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const xOffset = (width - 1 - (cos * (width - 1) - sin * (height - 1))) / 2;
  const yOffset = (height - 1 - (sin * (width - 1) + cos * (height - 1))) / 2;
  return [cos, -sin, xOffset, sin, cos, yOffset];
}

/** Zoom about the centre: a scale above 1 reads a larger input area, so the image looks zoomed out. */
export function zoomAffine(scaleY: number, scaleX: number, height: number, width: number): Affine {
  return [scaleX, 0, ((width - 1) / 2) * (1 - scaleX), 0, scaleY, ((height - 1) / 2) * (1 - scaleY)];
}

/** Mirror images: left–right and/or up–down. */
export function flipAffine(horizontal: boolean, vertical: boolean, height: number, width: number): Affine {
  return [
    horizontal ? -1 : 1,
    0,
    horizontal ? width - 1 : 0,
    0,
    vertical ? -1 : 1,
    vertical ? height - 1 : 0,
  ];
}

/** Shift by (dy, dx) pixels: positive moves the content down and right. */
export function translationAffine(dy: number, dx: number): Affine {
  return [1, 0, -dx, 0, 1, -dy];
}

export function invertAffine(affine: Affine): { inverse: Affine; determinant: number } {
  const [a0, a1, a2, b0, b1, b2] = affine;
  const determinant = a0 * b1 - a1 * b0;
  if (Math.abs(determinant) < 1e-12)
    throw new Error('augment: a warp collapsed the image (singular transform)');
  const inverse: Affine = [
    b1 / determinant,
    -a1 / determinant,
    (a1 * b2 - b1 * a2) / determinant,
    -b0 / determinant,
    a0 / determinant,
    (b0 * a2 - a0 * b2) / determinant,
  ];
  return { inverse, determinant };
}

/** Backends whose tensors live in host memory, where the loop sampler is much faster. */
const HOST_MEMORY_BACKENDS = new Set(['cpu', 'wasm']);

export type SamplerChoice = 'auto' | 'host' | 'ops';

/** Resamples without a gradient of its own; `how` is for tests, which compare the two samplers. */
export function sampleImages(
  tf: TF,
  images: tfType.Tensor4D,
  affines: readonly Affine[],
  settings: WarpSettings,
  outputSize: readonly [number, number],
  how: SamplerChoice = 'auto',
): tfType.Tensor4D {
  const onHost = how === 'host' || (how === 'auto' && HOST_MEMORY_BACKENDS.has(tf.getBackend()));
  return onHost
    ? sampleOnHost(tf, images, affines, settings, outputSize)
    : sampleWithOps(tf, images, affines, settings, outputSize);
}

/**
 * Warps each image of `images` [n, h, w, c] by its own affine into [n, outHeight, outWidth, c]
 * (default: the input size); differentiable on every backend.
 */
export function warpImages(
  tf: TF,
  images: tfType.Tensor4D,
  affines: readonly Affine[],
  settings: WarpSettings,
  outputSize: readonly [number, number] = [images.shape[1], images.shape[2]],
): tfType.Tensor4D {
  const inputSize = [images.shape[1], images.shape[2]] as const;
  if (affines.length !== images.shape[0]) {
    throw new Error(`augment: ${affines.length} transforms for a batch of ${images.shape[0]}`);
  }
  const inverses = affines.map(invertAffine);
  const warp = tf.customGrad((...args: (tfType.Tensor | tfType.GradSaveFunc)[]) => {
    const value = sampleImages(tf, args[0] as tfType.Tensor4D, affines, settings, outputSize);
    const gradFunc = (dy: tfType.Tensor4D) =>
      tf.tidy(() => {
        const back = sampleImages(
          tf,
          dy,
          inverses.map((i) => i.inverse),
          { interpolation: settings.interpolation, fillMode: 'constant', fillValue: 0 },
          inputSize,
        );
        // An output pixel covers 1/|det| input pixels: spread its gradient over that area.
        const areas = tf.tensor4d(
          inverses.map((i) => 1 / Math.abs(i.determinant)),
          [inverses.length, 1, 1, 1],
        );
        return tf.mul(back, areas);
      });
    return { value, gradFunc };
  });
  return warp(images) as tfType.Tensor4D;
}
