/**
 * What crosses the sandbox boundary for a function exercise: the host's hidden inputs go in with
 * their types (tensors rebuilt in the sandbox's tfjs, typed arrays kept typed: a function may read
 * `bytes.buffer`), and results come back as the plain data the grader compares.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../../src/cli/catalog';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { findExercise } from '../../../src/core/exercises/catalog';
import { runExercise } from '../../../src/core/sandbox/run';
import { decodeArgument, encodeArgument, toPlainResult } from '../../../src/core/sandbox/wire';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('values across the boundary', () => {
  it('keeps typed arrays typed, rebuilds tensors, and copies for every call', async () => {
    const bytes = Uint8Array.from([0, 1, 0, 128]);
    const wire = structuredClone([
      encodeArgument(tf, bytes),
      encodeArgument(tf, tf.tensor2d([[1, 2]], [1, 2])),
    ]);
    const [first, tensor] = wire.map((value) => decodeArgument(tf, value)) as [Uint8Array, tf.Tensor];
    expect(first).toBeInstanceOf(Uint8Array);
    expect(new Uint16Array(first.buffer)).toEqual(Uint16Array.from([256, 32768]));
    first[0] = 9;
    expect((decodeArgument(tf, wire[0]) as Uint8Array)[0]).toBe(0);
    expect(tensor.shape).toEqual([1, 2]);
    expect(await toPlainResult(tf, tensor)).toEqual({ shape: [1, 2], values: [[1, 2]] });
    expect(await toPlainResult(tf, Float32Array.from([0.5]))).toEqual([0.5]);
    await expect(toPlainResult(tf, () => 1)).rejects.toThrow(/a function, not data/);
  });

  it("grades deploy-quantize's reference (bytes in, bytes out) as passing", async () => {
    const bundle = findExercise(await readCatalog(), 'deploy-quantize')!;
    const outcome = await runExercise(
      { bundle, code: bundle.solution, backend: 'wasm' },
      {
        tf,
        datasetReader: () => async () => new Uint8Array(),
        onEvent: () => {},
        candidateBackends: ['wasm'],
      },
    );
    expect(outcome.report?.passed).toBe(true);
  });
});
