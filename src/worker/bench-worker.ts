/**
 * The benchmark in the browser: one worker per backend (a backend initialises once per worker, and
 * a hung GPU or threaded WASM start must not take the others down). It trains the bench models with
 * the same `benchModel` as `cv-lab bench` in Node and posts the results. `wasm-threads` is tfjs's
 * threaded build with one thread per core the browser reports (packages/runtime/src/backend-wasm-threads.ts);
 * `wasm-parallel` splits each step across workers as the page's sandbox does for learner code
 * (`labTrainingWorkers`, packages/runtime/src/data-parallel): its helpers are copies of this worker,
 * told by their first message to serve training steps.
 */
import * as tf from '@tensorflow/tfjs';
import { benchModel } from '../core/bench/bench';
import { labTrainingWorkers, probeBackend } from '@cv-lab/runtime';
import {
  bufferInbox,
  HELPER_READY,
  installDataParallelTraining,
  linkBrowserHelper,
} from '@cv-lab/runtime/data-parallel';
import { serveLabGradientHelper } from '../core/sandbox/gradient-helper-body';
import { setWasmThreads, wasmBackendThreads, wasmThreadsPossible } from '@cv-lab/runtime/kernels';
import type { BackendName } from '../core/sandbox/run-types';
import type { BenchJob, BenchMessage } from '../core/bench/browser-bench';
import { prepareTfjs } from './lab-worker-host';
import { workerThreadedWasmSources } from './wasm-threads';

const HELPER_INIT = 'cv-lab-bench-gradient-helper';

self.onmessage = async (event: MessageEvent<BenchJob | typeof HELPER_INIT>) => {
  if (event.data === HELPER_INIT) {
    await serveAsHelper();
    return;
  }
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
    const name: BackendName =
      job.backend === 'wasm-threads' || job.backend === 'wasm-parallel' ? 'wasm' : job.backend;
    const reason = await probeBackend(tf, name);
    if (reason) {
      post({ type: 'error', backend: job.backend, message: reason });
      return;
    }
    let threads = name === 'wasm' ? wasmBackendThreads(tf) : 1;
    if (job.backend === 'wasm-parallel') {
      threads = labTrainingWorkers(navigator.hardwareConcurrency, wasmThreadsPossible());
      if (threads < 2) {
        post({
          type: 'error',
          backend: job.backend,
          message: 'one core, or no shared memory: nothing to split',
        });
        return;
      }
      const split = installDataParallelTraining(tf, {
        helpers: threads - 1,
        startHelper: () => linkBrowserHelper(new Worker(self.location.href, { type: 'module' }), HELPER_INIT),
      });
      await split.ready();
    }
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

/** A gradient helper for `wasm-parallel`: WASM on one thread, serving the parent's steps. */
async function serveAsHelper(): Promise<void> {
  const inbox = bufferInbox();
  self.onmessage = (event: MessageEvent) => inbox.deliver(event.data as SharedArrayBuffer);
  prepareTfjs();
  await tf.setBackend('wasm');
  await serveLabGradientHelper(tf, inbox, () => self.postMessage(HELPER_READY));
}
