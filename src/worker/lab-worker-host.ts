/**
 * The lab worker's logic, as a class the page reaches through comlink and tests can drive
 * directly: it prepares tfjs in the worker (backends, WASM binaries, training kernels) and hands
 * each run to the core's `runExercise`, streaming its events back to the caller.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { fetchDatasetReader } from '../core/datasets/fetch-reader';
import { registerWasmTrainingKernels } from '../core/runtime/wasm-training-kernels';
import type { RunEvent } from '../core/sandbox/events';
import { runExercise } from '../core/sandbox/run';
import type { BackendName, RunOutcome, RunRequest } from '../core/sandbox/run-types';
import type { LabWorkerApi } from './contract';

/** Browser backends in order of preference (DESIGN.md: WebGPU, WebGL, WASM, CPU). */
export const browserBackends: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

let tfjsPrepared = false;

/** Once per worker: point tfjs at the bundled WASM binaries and add the training kernels. */
export function prepareTfjs(): void {
  if (tfjsPrepared) return;
  tfjsPrepared = true;
  // tfjs's threaded WASM build starts its pthread workers from the text of its own glue code,
  // which breaks once the bundler has minified it ("e is not defined" in every thread). The
  // single-threaded SIMD build works everywhere; threads stay off until that is solved.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlainUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
  });
  registerWasmTrainingKernels();
}

/** Where the page serves prepared datasets: `/datasets/<id>/` on the app's own origin. */
export function datasetBaseUrl(datasetId: string, origin: string): string {
  return new URL(`/datasets/${encodeURIComponent(datasetId)}/`, origin).href;
}

export class LabWorkerHost implements LabWorkerApi {
  constructor(private readonly origin: string = self.location.origin) {}

  async run(request: RunRequest, onEvent: (event: RunEvent) => void): Promise<RunOutcome> {
    // Events travel on the callback's own channel, the outcome on the worker's: to keep them in
    // order, the outcome waits until the page has taken the last event (a port delivers in order).
    // A page that went away must not take the run down with it: events are best effort.
    let lastDelivery: Promise<unknown> = Promise.resolve();
    const send = (event: RunEvent): void => {
      try {
        lastDelivery = Promise.resolve(onEvent(event)).catch(() => undefined);
      } catch {
        // ignored: see above
      }
    };
    const delivered = async <T>(value: T): Promise<T> => {
      await lastDelivery;
      return value;
    };
    try {
      prepareTfjs();
      const outcome = await runExercise(request, {
        tf,
        datasetReader: (id) => fetchDatasetReader(datasetBaseUrl(id, this.origin)),
        onEvent: send,
        candidateBackends: browserBackends,
      });
      return await delivered(outcome);
    } catch (thrown) {
      // runExercise reports learner errors in its outcome; reaching here is a bug of ours.
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      const error = { kind: 'internal' as const, message: `The lab failed: ${message}` };
      send({ type: 'error', error });
      return delivered<RunOutcome>({ ok: false, error, history: [], backend: 'none' });
    }
  }
}
