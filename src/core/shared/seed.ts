/**
 * Reproducible runs.
 *
 * tfjs draws every random number it is not given a seed for from `Math.random`: the initial
 * weights of each layer (`glorotUniform` and friends), dropout masks, the order in which `fit`
 * shuffles its batches, and our augmentation layers when the learner gives them no seed. So a run
 * with a seed swaps `Math.random` for a seeded generator while the learner's code runs, and the
 * same code on the same backend then trains the same model, epoch for epoch. A learner compares
 * two ideas without the noise of a lucky draw; a lead repeats a run and gets its numbers.
 *
 * `Math.random` is global: this suits a place that runs one learner at a time (the lab worker,
 * the CLI's learner thread), which is where it is used. Whatever else draws from it during the run
 * must not take numbers from the seeded stream, or the learner's draws would depend on how often
 * it did: the page's event channel (comlink draws a message id per call, and the number of
 * progress events depends on timing) draws through `outsideSeed`.
 */
import { mulberry32 } from './shuffle';

/** The platform's own generator, taken before any run swaps it. */
const platformRandom = Math.random;

/** Largest seed accepted: seeds are 32-bit unsigned integers. */
export const MAX_SEED = 4294967295;

export function isValidSeed(seed: number): boolean {
  return Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED;
}

/**
 * Runs `work` with `Math.random` drawing from `seed`, then puts the original back (also when
 * `work` throws). Without a seed, `work` runs as it is.
 */
export async function withSeededRandom<T>(seed: number | undefined, work: () => T | Promise<T>): Promise<T> {
  if (seed === undefined) return work();
  if (!isValidSeed(seed)) throw new RangeError(`A seed is an integer from 0 to ${MAX_SEED}, not ${seed}`);
  const unseeded = Math.random;
  Math.random = mulberry32(seed);
  try {
    return await work();
  } finally {
    Math.random = unseeded;
  }
}

/**
 * Runs `work` (synchronous: a message sent, an event handed over) with the platform's generator, so
 * whatever it draws is not taken from a seeded run's stream.
 */
export function outsideSeed<T>(work: () => T): T {
  const current = Math.random;
  Math.random = platformRandom;
  try {
    return work();
  } finally {
    Math.random = current;
  }
}

/**
 * Seeds `Math.random` for good: for a gradient helper's thread, which runs nothing else, so its
 * dropout masks repeat with the seed its caller sends (packages/runtime/src/data-parallel).
 */
export function seedThreadRandom(seed: number): void {
  Math.random = mulberry32(seed);
}
