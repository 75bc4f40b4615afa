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
import { loadDataset } from '../core/datasets/load';
import { labDatasetReader } from '../app/offline/dataset-reader';
import type { LoadedDataset } from '../core/datasets/types';
import { privateTestDataset } from '../core/exercises/set';
import { regradeSubmission } from '../core/grading/regrade';
import { serializeModel, type ModelArtifactsJson } from '../core/models/artifacts';
import { fetchModelReader } from '../core/models/fetch-reader';
import { memoryTrustStore } from '../core/models/registry';
import { chooseBackend } from '../core/runtime/backend';
import { registerWasmTrainingKernels } from '../core/runtime/wasm-training-kernels';
import type { RunEvent } from '../core/sandbox/events';
import { runExercise } from '../core/sandbox/run';
import type { BackendName, RunRequest } from '../core/sandbox/run-types';
import type { LabRunOutcome, LabWorkerApi, RegradeAnswer, RegradeRequest } from './contract';

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
  /** Test splits for re-grading, by dataset id or private-test key. */
  private readonly testData = new Map<string, Promise<LoadedDataset>>();

  /** Trust-on-first-use hashes of downloaded models, for the life of the worker. */
  private readonly modelTrust = memoryTrustStore();

  constructor(private readonly origin: string = self.location.origin) {}

  async run(request: RunRequest, onEvent: (event: RunEvent) => void): Promise<LabRunOutcome> {
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
      let model: ModelArtifactsJson | undefined;
      let modelError: string | undefined;
      const outcome = await runExercise(request, {
        tf,
        // Imported datasets from IndexedDB, the rest from the server or, offline, the cache.
        datasetReader: (id) => labDatasetReader(id, datasetBaseUrl(id, this.origin)),
        // Pretrained models: bundled ones from /models/, published ones from their URL.
        modelReader: (id) => fetchModelReader(id, this.origin),
        modelTrust: this.modelTrust,
        onEvent: send,
        candidateBackends: browserBackends,
        onTrainedModel: async (trained) => {
          try {
            model = await serializeModel(tf, trained);
          } catch (error) {
            modelError = error instanceof Error ? error.message : String(error);
          }
        },
      });
      return await delivered<LabRunOutcome>({
        ...outcome,
        ...(model ? { model } : {}),
        ...(modelError ? { modelError } : {}),
      });
    } catch (thrown) {
      // runExercise reports learner errors in its outcome; reaching here is a bug of ours.
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      const error = { kind: 'internal' as const, message: `The lab failed: ${message}` };
      send({ type: 'error', error });
      return delivered<LabRunOutcome>({ ok: false, error, history: [], backend: 'none' });
    }
  }

  async regrade({ submission, bundle, privateTest, backend }: RegradeRequest): Promise<RegradeAnswer> {
    prepareTfjs();
    const choice = await chooseBackend(tf, backend, browserBackends);
    let testDataset: Promise<LoadedDataset>;
    if (privateTest) {
      const key = `private:${privateTest.key}`;
      testDataset = this.testData.get(key) ?? privateTestDataset(privateTest.data);
      this.testData.set(key, testDataset);
    } else {
      const id = bundle.exercise.dataset;
      if (!id) throw new Error(`exercise ${bundle.exercise.id} names no dataset to grade on`);
      const key = `dataset:${id}`;
      testDataset =
        this.testData.get(key) ??
        loadDataset(labDatasetReader(id, datasetBaseUrl(id, this.origin)), { splits: ['test'] });
      this.testData.set(key, testDataset);
    }
    const loaded = await testDataset.catch((error: unknown) => {
      // A failed load is not cached: the next re-grade tries again.
      this.testData.forEach((value, key) => value === testDataset && this.testData.delete(key));
      throw error;
    });
    const result = await regradeSubmission(tf, submission, { bundle, testDataset: loaded });
    return { ...result, backend: choice.backend };
  }
}
