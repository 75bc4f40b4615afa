/**
 * Gradient helpers as Node worker threads: how the CLI trains one model on every core
 * (packages/runtime/src/data-parallel). Each helper is a thread with its own tfjs on one WASM
 * thread; `nodeDataParallelHelpers()` is how many to start: one per core besides the caller's.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { HELPER_READY, sharedMemoryLink } from '@cv-lab/runtime/data-parallel';

const HELPER_THREAD = new URL('./helper-thread.mjs', import.meta.url);

/** One helper per core besides the caller's, at most 7 (8 parts of a batch). */
export function nodeDataParallelHelpers(cores = availableParallelism()): number {
  return Math.max(0, Math.min(7, cores - 1));
}

/**
 * A helper thread; `options.memoryLimitBytes` is its share of memory (the CLI's sandbox cap divided among
 * its helpers): past it the helper refuses the model or ends (gradient-helper.ts).
 */
export function startNodeGradientHelper(
  options: { memoryLimitBytes?: number } = {},
): ReturnType<typeof sharedMemoryLink> {
  // A helper rebuilds the learner's model: its JavaScript heap is capped like the sandbox child's
  // (its tensors live in WASM memory, which cannot grow past 4 GB).
  const worker = new Worker(HELPER_THREAD, {
    resourceLimits: { maxOldGenerationSizeMb: 1024 },
    workerData: { memoryLimitBytes: options.memoryLimitBytes },
  });
  // A helper must not keep the process alive once the run is over.
  worker.unref();
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', (message) =>
      message === HELPER_READY ? resolve() : reject(new Error(String(message))),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`a gradient helper exited (${code})`)));
  });
  ready.catch(() => undefined);
  return sharedMemoryLink(
    (buffer) => worker.postMessage(buffer),
    ready,
    () => void worker.terminate(),
  );
}
