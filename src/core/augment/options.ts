/**
 * Option types of the augmentations and the checks that turn a learner's options into ranges. The
 * names and meanings follow Keras's preprocessing layers (`RandomRotation(factor=...)`,
 * `RandomZoom(height_factor=...)`), camel-cased, so code ported from Keras reads the same.
 * Every check throws a message that names the augmentation and the bad value.
 */

/** A symmetric range `f` (meaning [-f, f]) or an explicit `[lower, upper]`. */
export type Factor = number | readonly [number, number];

/** How points outside the image are filled, as in Keras and `tf.image.transform`. */
export type FillMode = 'reflect' | 'wrap' | 'constant' | 'nearest';
export type Interpolation = 'bilinear' | 'nearest';

/** `'both'` flips horizontally and vertically, each with probability 1/2; Keras spells it `'horizontal_and_vertical'`. */
export type FlipMode = 'horizontal' | 'vertical' | 'both' | 'horizontal_and_vertical';

export interface Seeded {
  /** Same seed, same augmentation. Without one, each call draws fresh randomness. */
  seed?: number;
}

export interface WarpOptions {
  /** Default `'reflect'`, as in Keras. */
  fillMode?: FillMode;
  /** The value of filled points when `fillMode` is `'constant'`. Default 0. */
  fillValue?: number;
  /** Default `'bilinear'`. */
  interpolation?: Interpolation;
}

export interface RandomFlipOptions extends Seeded {
  /** Default `'both'`. */
  mode?: FlipMode;
}

export interface RandomRotationOptions extends Seeded, WarpOptions {
  /** Fraction of a full turn (2π): `0.1` rotates by up to ±36°; positive is counter-clockwise. */
  factor: Factor;
}

export interface RandomZoomOptions extends Seeded, WarpOptions {
  /** Fraction of the height: positive zooms out, negative zooms in; `0.2` means [-20%, +20%]. */
  heightFactor: Factor;
  /** Fraction of the width; when left out the zoom keeps the aspect ratio (same as the height). */
  widthFactor?: Factor;
}

export interface RandomTranslationOptions extends Seeded, WarpOptions {
  /** Fraction of the height: positive shifts down; `0.1` means up to 10% either way. */
  heightFactor: Factor;
  /** Fraction of the width: positive shifts right. */
  widthFactor: Factor;
}

export interface RandomCropOptions extends Seeded {
  height: number;
  width: number;
}

export interface ValueRangeOptions {
  /** The range pixel values live in; results are clipped to it. Default [0, 1]. */
  valueRange?: readonly [number, number];
}

export interface RandomBrightnessOptions extends Seeded, ValueRangeOptions {
  /** Fraction of the value range added to every pixel of an image: `0.2` adds a delta in [-0.2, 0.2]·range. */
  factor: Factor;
}

export interface RandomContrastOptions extends Seeded, ValueRangeOptions {
  /** Contrast scales by a factor in [1 - lower, 1 + upper]; `0.2` means [0.8, 1.2]. */
  factor: Factor;
}

export interface GaussianNoiseOptions extends Seeded {
  /** Standard deviation of the added noise. */
  stddev: number;
}

export interface CutoutOptions extends Seeded {
  /** Side of each erased square, or `[height, width]`, in pixels. */
  size: number | readonly [number, number];
  /** Boxes erased per image. Default 1. */
  count?: number;
  /** Value written into the boxes. Default 0. */
  fillValue?: number;
}

export interface MixupOptions extends Seeded {
  /** Mixing weights are drawn from Beta(alpha, alpha). Default 0.2. */
  alpha?: number;
}

const FILL_MODES: readonly FillMode[] = ['reflect', 'wrap', 'constant', 'nearest'];
const INTERPOLATIONS: readonly Interpolation[] = ['bilinear', 'nearest'];

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * `f` → [-f, f]; `[lo, hi]` as given. Checks both ends lie within [min, max]. Everywhere here `null`
 * counts as left out: a saved model's config comes back with nulls for absent options.
 */
export function factorRange(
  op: string,
  name: string,
  factor: unknown,
  bounds: { min: number; max: number },
): [number, number] {
  let range: [number, number];
  if (isFiniteNumber(factor)) {
    range = [-Math.abs(factor), Math.abs(factor)];
  } else if (Array.isArray(factor) && factor.length === 2 && factor.every(isFiniteNumber)) {
    range = [factor[0], factor[1]];
  } else {
    throw new Error(`${op}: ${name} must be a number or [lower, upper], got ${describe(factor)}`);
  }
  if (range[0] > range[1]) {
    throw new Error(`${op}: ${name} [lower, upper] needs lower ≤ upper, got ${describe(factor)}`);
  }
  if (range[0] < bounds.min || range[1] > bounds.max) {
    throw new Error(`${op}: ${name} must lie within [${bounds.min}, ${bounds.max}], got ${describe(factor)}`);
  }
  return range;
}

export function checkFillMode(op: string, value: unknown): FillMode {
  if (value == null) return 'reflect';
  if (FILL_MODES.includes(value as FillMode)) return value as FillMode;
  throw new Error(`${op}: fillMode must be one of ${FILL_MODES.join(', ')}, got ${describe(value)}`);
}

export function checkInterpolation(op: string, value: unknown): Interpolation {
  if (value == null) return 'bilinear';
  if (INTERPOLATIONS.includes(value as Interpolation)) return value as Interpolation;
  throw new Error(`${op}: interpolation must be one of ${INTERPOLATIONS.join(', ')}, got ${describe(value)}`);
}

/** Normalises Keras's spellings (also the camel-cased one a saved model comes back with) to ours. */
export function checkFlipMode(op: string, value: unknown): 'horizontal' | 'vertical' | 'both' {
  if (value == null) return 'both';
  if (value === 'horizontal' || value === 'vertical' || value === 'both') return value;
  if (value === 'horizontal_and_vertical' || value === 'horizontalAndVertical') return 'both';
  throw new Error(`${op}: mode must be 'horizontal', 'vertical' or 'both', got ${describe(value)}`);
}

export function checkNumber(
  op: string,
  name: string,
  value: unknown,
  bounds: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const ok =
    isFiniteNumber(value) &&
    (bounds.min === undefined || value >= bounds.min) &&
    (bounds.max === undefined || value <= bounds.max) &&
    (!bounds.integer || Number.isInteger(value));
  if (ok) return value;
  const kind = bounds.integer ? 'an integer' : 'a number';
  const limits = [
    bounds.min !== undefined ? `≥ ${bounds.min}` : '',
    bounds.max !== undefined ? `≤ ${bounds.max}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  throw new Error(`${op}: ${name} must be ${kind}${limits ? ' ' + limits : ''}, got ${describe(value)}`);
}

export function checkValueRange(op: string, value: unknown): [number, number] {
  if (value == null) return [0, 1];
  if (Array.isArray(value) && value.length === 2 && value.every(isFiniteNumber) && value[0] < value[1]) {
    return [value[0], value[1]];
  }
  throw new Error(`${op}: valueRange must be [low, high] with low < high, got ${describe(value)}`);
}

export function checkSeed(op: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  return checkNumber(op, 'seed', value, { integer: true });
}
