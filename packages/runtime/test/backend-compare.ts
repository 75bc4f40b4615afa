/** Helpers for tests that run the same tfjs computation on the CPU and WASM backends. */
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend, type NodeBackendName } from '../src/node-backend';

/** A small deterministic generator (mulberry32), so every run sees the same shapes and values. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomValues(random: () => number, size: number): Float32Array {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    values[i] = random() * 2 - 1;
  }
  return values;
}

/** Runs `compute` on the named backend and returns every result's values and shape. */
export async function runOn(
  backend: NodeBackendName,
  compute: () => tf.Tensor | tf.Tensor[],
): Promise<{ shape: number[]; values: Float32Array }[]> {
  await initNodeBackend(backend);
  const results = tf.tidy(compute);
  const list = Array.isArray(results) ? results : [results];
  const out = list.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
  tf.dispose(list);
  return out;
}

/** Largest absolute difference, relative to the largest magnitude in `expected` (at least 1). */
export function relativeMaxError(actual: Float32Array, expected: Float32Array): number {
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  return Number.isFinite(worst) ? worst / scale : Infinity;
}
