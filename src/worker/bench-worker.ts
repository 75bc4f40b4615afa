/**
 * The benchmark in the browser: one worker per backend (a backend initialises once per worker, and
 * a hung GPU or threaded WASM start must not take the others down). It trains the bench models with
 * the same `benchModel` as `cv-lab bench` in Node and posts the results. `wasm-threads` is tfjs's
 * threaded build with one thread per core the browser reports (packages/runtime/src/backend-wasm-threads.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { benchModel } from '../core/bench/bench';
import { probeBackend } from '@cv-lab/runtime';
import { setWasmThreads, wasmBackendThreads, wasmThreadsPossible } from '@cv-lab/runtime/kernels';
import type { BackendName } from '../core/sandbox/run-types';
import type { BenchJob, BenchMessage } from '../core/bench/browser-bench';
import { prepareTfjs } from './lab-worker-host';
import { workerThreadedWasmSources } from './wasm-threads';

self.onmessage = async (event: MessageEvent<BenchJob>) => {
  const job = event.data;
  const post = (message: BenchMessage) => self.postMessage(message);
  try {
    prepareTfjs();
    if (job.backend === 'wasm-threads') {
      if (!wasmThreadsPossible()) {
        post({ type: 'error', backend: job.backend, message: 'not cross-origin isolated: no shared memory' });
        return;
      }
      setWasmThreads(tf, workerThreadedWasmSources(), navigator.hardwareConcurrency);
    }
    const name: BackendName = job.backend === 'wasm-threads' ? 'wasm' : job.backend;
    const reason = await probeBackend(tf, name);
    if (reason) {
      post({ type: 'error', backend: job.backend, message: reason });
      return;
    }
    const threads = name === 'wasm' ? wasmBackendThreads(tf) : 1;
    for (const model of job.models) {
      try {
        const result = await benchModel(tf, { model, steps: job.steps, warmupSteps: job.warmupSteps });
        post({ type: 'result', result: { ...result, variant: job.backend, threads } });
      } catch (error) {
        post({ type: 'error', backend: job.backend, model, message: (error as Error).message });
      }
    }
  } catch (error) {
    post({ type: 'error', backend: job.backend, message: (error as Error).message });
  } finally {
    post({ type: 'done' });
  }
};
