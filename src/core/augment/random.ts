/**
 * The seeded random source behind every augmentation. Random parameters (angles, offsets, flips,
 * mixup weights) are drawn here in plain JavaScript, one value per image, so a seed gives the same
 * augmentation on every backend: nothing depends on a backend's own random kernels.
 */
import { mulberry32 } from '../shared/shuffle';

/** A stream of uniform numbers in [0, 1). */
export interface RandomSource {
  next(): number;
}

/** A seeded source (the project's one PRNG, mulberry32): the same seed gives the same stream. */
export function seededRandom(seed: number): RandomSource {
  return { next: mulberry32(seed) };
}

/** A seeded source when a seed is given, otherwise one seeded from `Math.random`. */
export function randomSourceFor(seed: number | undefined | null): RandomSource {
  return seededRandom(seed ?? Math.floor(Math.random() * 4294967296));
}

/** A fresh 31-bit seed drawn from a source: for tfjs ops that take a numeric seed. */
export function drawSeed(random: RandomSource): number {
  return Math.floor(random.next() * 2147483647);
}

export function uniform(random: RandomSource, low: number, high: number): number {
  return low + (high - low) * random.next();
}

/** An integer in [0, maxInclusive]. */
export function uniformInt(random: RandomSource, maxInclusive: number): number {
  return Math.min(maxInclusive, Math.floor(random.next() * (maxInclusive + 1)));
}

export function standardNormal(random: RandomSource): number {
  // Box–Muller; 1 - u keeps the logarithm's argument in (0, 1].
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, 1) by Marsaglia and Tsang; shapes below 1 use the boost Gamma(a+1)·U^(1/a). */
export function gamma(random: RandomSource, shape: number): number {
  if (shape < 1) {
    return gamma(random, shape + 1) * Math.pow(1 - random.next(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Beta(a, b) from two gamma draws. */
export function beta(random: RandomSource, a: number, b: number): number {
  const x = gamma(random, a);
  const y = gamma(random, b);
  return x + y === 0 ? 0.5 : x / (x + y);
}

/** A random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(random: RandomSource, n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = uniformInt(random, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
