/**
 * Seeded shuffling, so that the same seed gives the same train/validation split on every machine
 * and backend (a learner's result is reproducible, and a lead re-grading sees the same split).
 */

/**
 * mulberry32: a tiny 32-bit PRNG (Tommy Ettinger's), good enough for shuffling and fully
 * determined by its seed. Returns a function yielding floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `items` in place (Fisher–Yates) with a seeded generator and returns it. */
export function seededShuffle<T extends { length: number; [index: number]: unknown }>(
  items: T,
  seed: number,
): T {
  const random = mulberry32(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = items[i];
    items[i] = items[j];
    items[j] = swap;
  }
  return items;
}

/** The indices 0..count-1 in a seeded random order. */
export function shuffledIndices(count: number, seed: number): Uint32Array {
  const indices = new Uint32Array(count);
  for (let i = 0; i < count; i++) indices[i] = i;
  return seededShuffle(indices, seed);
}
