/**
 * The augmentations as tensor functions on a batch [n, height, width, channels] of float32 images
 * in [0, 1]. Each one is split in two: `resolve…` checks a learner's options once and turns them
 * into plain parameters (so a layer can fail at construction, not at the first batch), and
 * `apply…` draws the per-image randomness from a `RandomSource` and runs tf ops.
 *
 * Every op used has a forward kernel and a gradient on webgpu, webgl, wasm and cpu (the geometric
 * ones are warps, which carry their own gradient: see warp.ts); only the random parameters, drawn in JavaScript, have none, and need none.
 * Randomness is per image: each image in a batch gets its own flip, angle, offset or box.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';
import {
  checkFillMode,
  checkFlipMode,
  checkInterpolation,
  checkNumber,
  checkValueRange,
  factorRange,
  type CutoutOptions,
  type GaussianNoiseOptions,
  type MixupOptions,
  type RandomBrightnessOptions,
  type RandomContrastOptions,
  type RandomCropOptions,
  type RandomFlipOptions,
  type RandomRotationOptions,
  type RandomTranslationOptions,
  type RandomZoomOptions,
  type WarpOptions,
} from './options';
import { beta, drawSeed, permutation, uniform, uniformInt, type RandomSource } from './random';
import {
  flipAffine,
  rotationAffine,
  translationAffine,
  warpImages,
  zoomAffine,
  type WarpSettings,
} from './warp';

type Tensor4D = tfType.Tensor4D;

/** Checks that `x` is a batch of images and names the op when it is not. */
export function checkBatch(op: string, x: tfType.Tensor): Tensor4D {
  if (x == null || !Array.isArray(x.shape) || x.rank !== 4) {
    const shape = x && Array.isArray(x.shape) ? `[${x.shape.join(', ')}]` : String(x);
    throw new Error(`${op} expects a batch of images [n, height, width, channels], got shape ${shape}`);
  }
  return x as Tensor4D;
}

function perImage<T>(n: number, draw: () => T): T[] {
  return Array.from({ length: n }, draw);
}

/** A per-image scalar as [n, 1, 1, 1], ready to broadcast over the images. */
function perImageTensor(tf: TF, values: number[]): Tensor4D {
  return tf.tensor4d(values, [values.length, 1, 1, 1]);
}

function resolveWarp(op: string, options: WarpOptions): WarpSettings {
  return {
    fillMode: checkFillMode(op, options.fillMode),
    fillValue: options.fillValue == null ? 0 : checkNumber(op, 'fillValue', options.fillValue),
    interpolation: checkInterpolation(op, options.interpolation),
  };
}

// ---- flip -------------------------------------------------------------------------------------

export interface FlipParams {
  horizontal: boolean;
  vertical: boolean;
}

export function resolveFlip(options: RandomFlipOptions = {}): FlipParams {
  const mode = checkFlipMode('randomFlip', options.mode);
  return { horizontal: mode !== 'vertical', vertical: mode !== 'horizontal' };
}

/** Exact pixel moves: nearest sampling at whole-pixel coordinates, never outside the image. */
const WHOLE_PIXELS: WarpSettings = { interpolation: 'nearest', fillMode: 'constant', fillValue: 0 };

export function applyFlip(tf: TF, x: Tensor4D, params: FlipParams, random: RandomSource): Tensor4D {
  const [n, height, width] = x.shape;
  const affines = perImage(n, () => {
    const horizontal = params.horizontal && random.next() < 0.5;
    const vertical = params.vertical && random.next() < 0.5;
    return flipAffine(horizontal, vertical, height, width);
  });
  return tf.tidy(() => warpImages(tf, x, affines, WHOLE_PIXELS));
}

// ---- rotation, zoom, translation ---------------------------------------------------------------

export interface RotationParams extends WarpSettings {
  /** Angle range in radians. */
  range: [number, number];
}

export function resolveRotation(options: RandomRotationOptions): RotationParams {
  const op = 'randomRotation';
  const [low, high] = factorRange(op, 'factor', options?.factor, { min: -1, max: 1 });
  return { range: [low * 2 * Math.PI, high * 2 * Math.PI], ...resolveWarp(op, options) };
}

export function applyRotation(tf: TF, x: Tensor4D, params: RotationParams, random: RandomSource): Tensor4D {
  const [n, height, width] = x.shape;
  const affines = perImage(n, () =>
    rotationAffine(uniform(random, params.range[0], params.range[1]), height, width),
  );
  return tf.tidy(() => warpImages(tf, x, affines, params));
}

export interface ZoomParams extends WarpSettings {
  heightRange: [number, number];
  /** null: the width zooms by the same amount as the height (aspect ratio kept). */
  widthRange: [number, number] | null;
}

export function resolveZoom(options: RandomZoomOptions): ZoomParams {
  const op = 'randomZoom';
  // A zoom of -100% would read an empty area; Keras bounds the factor the same way.
  const bounds = { min: -0.99, max: 10 };
  const heightRange = factorRange(op, 'heightFactor', options?.heightFactor, bounds);
  const widthRange =
    options.widthFactor == null ? null : factorRange(op, 'widthFactor', options.widthFactor, bounds);
  return { heightRange, widthRange, ...resolveWarp(op, options) };
}

export function applyZoom(tf: TF, x: Tensor4D, params: ZoomParams, random: RandomSource): Tensor4D {
  const [n, height, width] = x.shape;
  const affines = perImage(n, () => {
    const scaleY = 1 + uniform(random, params.heightRange[0], params.heightRange[1]);
    const scaleX = params.widthRange
      ? 1 + uniform(random, params.widthRange[0], params.widthRange[1])
      : scaleY;
    return zoomAffine(scaleY, scaleX, height, width);
  });
  return tf.tidy(() => warpImages(tf, x, affines, params));
}

export interface TranslationParams extends WarpSettings {
  heightRange: [number, number];
  widthRange: [number, number];
}

export function resolveTranslation(options: RandomTranslationOptions): TranslationParams {
  const op = 'randomTranslation';
  const bounds = { min: -1, max: 1 };
  return {
    heightRange: factorRange(op, 'heightFactor', options?.heightFactor, bounds),
    widthRange: factorRange(op, 'widthFactor', options?.widthFactor, bounds),
    ...resolveWarp(op, options),
  };
}

export function applyTranslation(
  tf: TF,
  x: Tensor4D,
  params: TranslationParams,
  random: RandomSource,
): Tensor4D {
  const [n, height, width] = x.shape;
  const affines = perImage(n, () => {
    const dy = uniform(random, params.heightRange[0], params.heightRange[1]) * height;
    const dx = uniform(random, params.widthRange[0], params.widthRange[1]) * width;
    return translationAffine(dy, dx);
  });
  return tf.tidy(() => warpImages(tf, x, affines, params));
}

// ---- crop -------------------------------------------------------------------------------------

export interface CropParams {
  height: number;
  width: number;
}

export function resolveCrop(options: RandomCropOptions): CropParams {
  const op = 'randomCrop';
  return {
    height: checkNumber(op, 'height', options?.height, { min: 1, integer: true }),
    width: checkNumber(op, 'width', options?.width, { min: 1, integer: true }),
  };
}

function checkCropFits(x: Tensor4D, params: CropParams): void {
  const [, height, width] = x.shape;
  if (params.height > height || params.width > width) {
    throw new Error(
      `randomCrop: cannot crop ${params.height}x${params.width} out of ${height}x${width} images; ` +
        'resize first (tf.image.resizeBilinear) or choose a smaller crop',
    );
  }
}

/** One window per image at a random offset: a whole-pixel shift sampled into the window's size. */
export function applyCrop(tf: TF, x: Tensor4D, params: CropParams, random: RandomSource): Tensor4D {
  checkCropFits(x, params);
  const [n, height, width] = x.shape;
  const affines = perImage(n, () =>
    translationAffine(-uniformInt(random, height - params.height), -uniformInt(random, width - params.width)),
  );
  return tf.tidy(() => warpImages(tf, x, affines, WHOLE_PIXELS, [params.height, params.width]));
}

/** The centre window: what `RandomCrop` does at inference, so the model always sees one size. */
export function centerCrop(tf: TF, x: Tensor4D, params: CropParams): Tensor4D {
  checkCropFits(x, params);
  const [n, height, width, channels] = x.shape;
  const top = Math.floor((height - params.height) / 2);
  const left = Math.floor((width - params.width) / 2);
  return tf.slice(x, [0, top, left, 0], [n, params.height, params.width, channels]);
}

// ---- brightness, contrast, noise ----------------------------------------------------------------

export interface BrightnessParams {
  range: [number, number];
  valueRange: [number, number];
}

export function resolveBrightness(options: RandomBrightnessOptions): BrightnessParams {
  const op = 'randomBrightness';
  return {
    range: factorRange(op, 'factor', options?.factor, { min: -1, max: 1 }),
    valueRange: checkValueRange(op, options.valueRange),
  };
}

/** Adds one delta per image, a fraction of the value range, then clips to the range. */
export function applyBrightness(
  tf: TF,
  x: Tensor4D,
  params: BrightnessParams,
  random: RandomSource,
): Tensor4D {
  const [low, high] = params.valueRange;
  const deltas = perImage(x.shape[0], () => uniform(random, params.range[0], params.range[1]) * (high - low));
  return tf.tidy(() => tf.clipByValue(tf.add(x, perImageTensor(tf, deltas)), low, high) as Tensor4D);
}

export interface ContrastParams {
  /** Range of the contrast multiplier. */
  range: [number, number];
  valueRange: [number, number];
}

export function resolveContrast(options: RandomContrastOptions): ContrastParams {
  const op = 'randomContrast';
  const factor: unknown = options?.factor;
  // Keras: `f` means a multiplier in [1 - f, 1 + f]; `[lower, upper]` means [1 - lower, 1 + upper].
  let lower: number;
  let upper: number;
  if (typeof factor === 'number') {
    lower = upper = factor;
  } else if (Array.isArray(factor) && factor.length === 2) {
    [lower, upper] = factor as [number, number];
  } else {
    throw new Error(
      `randomContrast: factor must be a number or [lower, upper], got ${JSON.stringify(factor)}`,
    );
  }
  checkNumber(op, 'factor', lower, { min: 0, max: 1 });
  checkNumber(op, 'factor', upper, { min: 0 });
  return { range: [1 - lower, 1 + upper], valueRange: checkValueRange(op, options.valueRange) };
}

/** Scales each image's distance from its per-channel mean by one factor per image, then clips. */
export function applyContrast(tf: TF, x: Tensor4D, params: ContrastParams, random: RandomSource): Tensor4D {
  const factors = perImage(x.shape[0], () => uniform(random, params.range[0], params.range[1]));
  return tf.tidy(() => {
    const mean = tf.mean(x, [1, 2], true);
    const scaled = tf.add(tf.mul(tf.sub(x, mean), perImageTensor(tf, factors)), mean);
    return tf.clipByValue(scaled, params.valueRange[0], params.valueRange[1]) as Tensor4D;
  });
}

export interface NoiseParams {
  stddev: number;
}

export function resolveNoise(options: GaussianNoiseOptions): NoiseParams {
  return { stddev: checkNumber('gaussianNoise', 'stddev', options?.stddev, { min: 0 }) };
}

/** Adds zero-mean Gaussian noise to every pixel; not clipped, as in Keras's GaussianNoise. */
export function applyNoise(tf: TF, x: Tensor4D, params: NoiseParams, random: RandomSource): Tensor4D {
  return tf.tidy(() => tf.add(x, tf.randomNormal(x.shape, 0, params.stddev, 'float32', drawSeed(random))));
}

// ---- cutout -----------------------------------------------------------------------------------

export interface CutoutParams {
  height: number;
  width: number;
  count: number;
  fillValue: number;
}

export function resolveCutout(options: CutoutOptions): CutoutParams {
  const op = 'cutout';
  const size = options?.size;
  const [height, width] = typeof size === 'number' ? [size, size] : Array.isArray(size) ? size : [NaN, NaN];
  return {
    height: checkNumber(op, 'size', height, { min: 1, integer: true }),
    width: checkNumber(op, 'size', width, { min: 1, integer: true }),
    count: options.count == null ? 1 : checkNumber(op, 'count', options.count, { min: 0, integer: true }),
    fillValue: options.fillValue == null ? 0 : checkNumber(op, 'fillValue', options.fillValue),
  };
}

/**
 * Erases `count` boxes per image, each wholly inside the image, so one box always erases exactly
 * height × width pixels (boxes of one image may overlap). The mask is built with comparisons on
 * coordinate ranges, so it stays on the device.
 */
export function applyCutout(tf: TF, x: Tensor4D, params: CutoutParams, random: RandomSource): Tensor4D {
  const [n, height, width] = x.shape;
  if (params.height > height || params.width > width) {
    throw new Error(
      `cutout: boxes of ${params.height}x${params.width} do not fit in ${height}x${width} images`,
    );
  }
  if (params.count === 0) return tf.clone(x);
  const k = params.count;
  const tops: number[] = [];
  const lefts: number[] = [];
  for (let i = 0; i < n * k; i++) {
    tops.push(uniformInt(random, height - params.height));
    lefts.push(uniformInt(random, width - params.width));
  }
  return tf.tidy(() => {
    const rows = tf.range(0, height).reshape([1, height, 1, 1]);
    const cols = tf.range(0, width).reshape([1, 1, width, 1]);
    const top = tf.tensor4d(tops, [n, 1, 1, k]);
    const left = tf.tensor4d(lefts, [n, 1, 1, k]);
    const inRows = tf.logicalAnd(tf.greaterEqual(rows, top), tf.less(rows, tf.add(top, params.height)));
    const inCols = tf.logicalAnd(tf.greaterEqual(cols, left), tf.less(cols, tf.add(left, params.width)));
    // [n, h, w, k] → erased anywhere by any box → [n, h, w, 1].
    const erased = tf.max(tf.cast(tf.logicalAnd(inRows, inCols), 'float32'), 3, true);
    const kept = tf.mul(x, tf.sub(1, erased));
    return (params.fillValue === 0 ? kept : tf.add(kept, tf.mul(erased, params.fillValue))) as Tensor4D;
  });
}

// ---- mixup ------------------------------------------------------------------------------------

export interface MixupParams {
  alpha: number;
}

export function resolveMixup(options: MixupOptions = {}): MixupParams {
  return {
    alpha:
      options.alpha == null ? 0.2 : checkNumber('mixup', 'alpha', options.alpha, { min: Number.MIN_VALUE }),
  };
}

/**
 * Mixes each example with another of the same batch: x' = λ·x_i + (1-λ)·x_j and the same for the
 * labels, λ ~ Beta(alpha, alpha) per example. With one-hot labels each mixed label row is a convex
 * combination that still sums to 1. Works on any batch shape [n, ...].
 */
export function applyMixup<X extends tfType.Tensor, Y extends tfType.Tensor>(
  tf: TF,
  x: X,
  y: Y,
  params: MixupParams,
  random: RandomSource,
): { xs: X; ys: Y } {
  const n = x.shape[0];
  if (x.rank < 2 || y.rank < 1 || y.shape[0] !== n) {
    throw new Error(
      `mixup needs images and labels with the same batch size, got [${x.shape.join(', ')}] and [${y.shape.join(', ')}]`,
    );
  }
  if (y.dtype !== 'float32') {
    throw new Error(
      'mixup needs float labels (one-hot, e.g. tf.oneHot(labels, numClasses).toFloat()), got ' + y.dtype,
    );
  }
  const lambdas = perImage(n, () => beta(random, params.alpha, params.alpha));
  const partners = permutation(random, n);
  return tf.tidy(() => {
    const order = tf.tensor1d(partners, 'int32');
    const mix = <T extends tfType.Tensor>(t: T): T => {
      const weights = tf.tensor(lambdas, [n, ...t.shape.slice(1).map(() => 1)]);
      const other = tf.gather(t, order);
      return tf.add(tf.mul(t, weights), tf.mul(other, tf.sub(1, weights))) as T;
    };
    return { xs: mix(x), ys: mix(y) };
  });
}
