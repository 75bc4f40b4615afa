/**
 * A seeded train/test split that keeps each class's share the same in both splits, so that a small
 * class is never missing from the test split by bad luck.
 */
import { seededShuffle } from '../../shared/shuffle';

export interface SplitIndices {
  train: number[];
  test: number[];
}

/**
 * Splits items 0..labels.length-1. Each class sends `round(n × testFraction)` of its items to test,
 * but, when it has two or more, at least one to each side (with a fraction strictly between 0 and 1).
 * Both lists come out in a seeded random order, classes interleaved.
 */
export function stratifiedSplit(labels: ArrayLike<number>, testFraction: number, seed: number): SplitIndices {
  if (!(testFraction >= 0 && testFraction < 1)) {
    throw new Error(`the test fraction must be at least 0 and below 1, got ${testFraction}`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]) ?? [];
    list.push(i);
    byClass.set(labels[i], list);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const [label, indices] of [...byClass.entries()].sort(([a], [b]) => a - b)) {
    seededShuffle(indices, (seed ^ Math.imul(label + 1, 0x9e3779b1)) >>> 0);
    let testCount = Math.round(indices.length * testFraction);
    if (testFraction > 0 && indices.length >= 2) {
      testCount = Math.min(indices.length - 1, Math.max(1, testCount));
    }
    test.push(...indices.slice(0, testCount));
    train.push(...indices.slice(testCount));
  }
  return { train: seededShuffle(train, seed), test: seededShuffle(test, seed + 1) };
}
