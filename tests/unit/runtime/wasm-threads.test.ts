/**
 * tfjs's threaded WASM build, started by packages/runtime/src/backend-wasm-threads.ts (Node: its parts in
 * node_modules, packages/runtime/src/node-backend.ts): the backend runs one thread per core (at most 8) on shared
 * memory, our kernels run on that memory, training gives the single-threaded build's results, and
 * going back to one thread gives tfjs's own build again. No timing is asserted (docs/benchmarks.md
 * has the measurements).
 */
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { setWasmThreads, wasmBackendThreads } from '@cv-lab/runtime/kernels';
import { MAX_WASM_THREADS } from '@cv-lab/runtime';
import { buildReferenceCnn } from '../../../src/core/models/reference-cnn';
import { initNodeBackend, nodeThreadedWasmSources } from '@cv-lab/runtime/node';
import { seededRandom, randomValues } from '../../../packages/runtime/test/backend-compare';

const IMAGES = 96;

/** Losses of two epochs and the predictions after them, for a narrow reference CNN on fixed data. */
async function train(
  backend: 'wasm' | 'wasm-threads',
): Promise<{ losses: number[]; predictions: Float32Array }> {
  await initNodeBackend(backend);
  const random = seededRandom(3);
  const model = buildReferenceCnn(tf, { convFilters: [4, 8], denseUnits: 16, seed: 7 });
  model.compile({ optimizer: tf.train.adam(5e-3), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor4d(randomValues(random, IMAGES * 784), [IMAGES, 28, 28, 1]);
  const labels = Int32Array.from({ length: IMAGES }, (_, i) => (i * 7) % 10);
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const history = await model.fit(xs, ys, { epochs: 2, batchSize: 32, shuffle: false, verbose: 0 });
  const predicted = model.predict(xs) as tf.Tensor;
  const predictions = (await predicted.data()) as Float32Array;
  tf.dispose([xs, ys, predicted]);
  model.dispose();
  return { losses: history.history.loss as number[], predictions };
}

describe('WASM on threads (Node)', () => {
  afterAll(async () => {
    await initNodeBackend('wasm');
  });

  test('runs one thread per core, at most 8, on shared memory', async () => {
    await initNodeBackend('wasm-threads');
    const expected = Math.min(MAX_WASM_THREADS, availableParallelism());
    expect(wasmBackendThreads(tf)).toBe(expected);
    const backend = tf.backend() as unknown as { wasm: { wasmMemory: WebAssembly.Memory } };
    expect(backend.wasm.wasmMemory.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  test("the pool's threads are running pthreads, not workers still waiting to start", async () => {
    await initNodeBackend('wasm-threads');
    // XNNPACK's pool counts the calling thread; each other thread is an Emscripten pthread that
    // pthreadpool_create started on one of the workers loaded with the module.
    const module = (
      tf.backend() as unknown as {
        wasm: { PThread: { runningWorkers: unknown[]; pthreads: Record<string, unknown> } };
      }
    ).wasm;
    const poolWorkers = wasmBackendThreads(tf) - 1;
    expect(poolWorkers).toBeGreaterThan(0);
    expect(module.PThread.runningWorkers).toHaveLength(poolWorkers);
    expect(Object.keys(module.PThread.pthreads)).toHaveLength(poolWorkers);
  });

  test('trains the reference CNN to the single-threaded results', async () => {
    const single = await train('wasm');
    expect(wasmBackendThreads(tf)).toBe(1);
    const threaded = await train('wasm-threads');
    expect(wasmBackendThreads(tf)).toBe(Math.min(MAX_WASM_THREADS, availableParallelism()));
    expect(threaded.losses).toHaveLength(2);
    threaded.losses.forEach((loss, i) => expect(Math.abs(loss - single.losses[i])).toBeLessThan(1e-4));
    expect(threaded.predictions.length).toBe(single.predictions.length);
    let largest = 0;
    single.predictions.forEach(
      (p, i) => (largest = Math.max(largest, Math.abs(p - threaded.predictions[i]))),
    );
    expect(largest).toBeLessThan(1e-4);
  });

  test('a threaded build that fails to start leaves WASM on one thread, working', async () => {
    const broken = { ...nodeThreadedWasmSources(), factory: () => Promise.reject(new Error('no workers')) };
    expect(setWasmThreads(tf, broken, 2)).toBe(2);
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(wasmBackendThreads(tf)).toBe(1);
    expect(Array.from(await tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).data())).toEqual([4, 6]);
  });

  test('without the threaded build (no sources) WASM stays on one thread', async () => {
    expect(setWasmThreads(tf, null, 4)).toBe(1);
    await tf.setBackend('wasm');
    expect(wasmBackendThreads(tf)).toBe(1);
  });
});
