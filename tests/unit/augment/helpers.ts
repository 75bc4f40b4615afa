/** Shared set-up for the augmentation tests: backends, hand-made images, a leak check. */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { initNodeBackend, type NodeBackendName } from '@cv-lab/runtime/node';
import { createAugmentApi } from '../../../src/core/augment';

export { tf };

/** Every op runs on both Node backends: the CPU reference and WASM, the project's workhorse. */
export const BACKENDS: NodeBackendName[] = ['cpu', 'wasm'];

export const augment = createAugmentApi(tf);

export async function useBackend(name: NodeBackendName): Promise<void> {
  await initNodeBackend(name);
  expect(tf.getBackend()).toBe(name);
}

/** A [1, size, size, 1] black image with one white pixel at (row, col). */
export function markerImage(size: number, row: number, col: number): tf.Tensor4D {
  const values = new Float32Array(size * size);
  values[row * size + col] = 1;
  return tf.tensor4d(values, [1, size, size, 1]);
}

/** [n, h, w, c] filled with distinct values in [0, 1), so every pixel can be told apart. */
export function rampImages(n: number, h: number, w: number, c: number): tf.Tensor4D {
  const size = n * h * w * c;
  return tf.tensor4d(
    Array.from({ length: size }, (_, i) => i / size),
    [n, h, w, c],
  );
}

/** The image as nested rows of numbers (first image, first channel). */
export function pixels(x: tf.Tensor4D, image = 0, channel = 0): number[][] {
  const [, h, w] = x.shape;
  const values = x.arraySync()[image];
  return Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, c) => values[r][c][channel]));
}

/** Where the largest value of the first image's first channel is. */
export function brightestAt(x: tf.Tensor4D): [number, number] {
  const rows = pixels(x);
  let best: [number, number] = [0, 0];
  rows.forEach((row, r) =>
    row.forEach((v, c) => {
      if (v > rows[best[0]][best[1]]) best = [r, c];
    }),
  );
  return best;
}

/** Runs `work`, disposes what it returns, and checks the tensor count is back where it started. */
export async function expectNoLeak(work: () => unknown | Promise<unknown>): Promise<void> {
  const before = tf.memory().numTensors;
  const result = await work();
  tf.dispose(result as tf.TensorContainer);
  expect(tf.memory().numTensors).toBe(before);
}
