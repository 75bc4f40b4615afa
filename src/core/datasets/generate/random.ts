/**
 * Seeded randomness for the generators: every image gets its own generator derived from
 * (dataset seed, split, index), so an image does not change when the count of others does.
 */
import { mulberry32 } from '../../shared/shuffle';

/** Mixes integers into one 32-bit seed (murmur3's finaliser over each part). */
export function deriveSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }
  /** Uniform in [low, high). */
  range(low: number, high: number): number {
    return low + (high - low) * this.next();
  }
  /** Integer in [low, high]. */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /**
   * A function returning standard normal values fast (pixel noise needs one per value): it walks
   * a fixed table of normal samples from a random start with a random odd stride.
   */
  normals(): () => number {
    const table = normalTable();
    const mask = table.length - 1;
    let index = Math.floor(this.next() * table.length);
    const stride = (Math.floor(this.next() * (table.length / 2)) * 2 + 1) & mask;
    return () => {
      index = (index + stride) & mask;
      return table[index];
    };
  }
}

let sharedNormalTable: Float32Array | undefined;
function normalTable(): Float32Array {
  if (!sharedNormalTable) {
    const random = new Random(0x6a09e667);
    sharedNormalTable = new Float32Array(1 << 16);
    for (let i = 0; i < sharedNormalTable.length; i++) sharedNormalTable[i] = random.normal();
  }
  return sharedNormalTable;
}

/** `count` labels, each class `count / classes` times (the first classes get the remainder), shuffled. */
export function balancedLabels(count: number, classes: number, seed: number): Uint8Array {
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = i % classes;
  const random = mulberry32(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = labels[i];
    labels[i] = labels[j];
    labels[j] = swap;
  }
  return labels;
}
