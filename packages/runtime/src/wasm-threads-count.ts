/**
 * How many WASM threads, and how many workers share a training step: a module of its own, without
 * tfjs, so that the page (Settings, the sandbox frame's set-up) can ask without bundling the WASM
 * backend. backend-wasm-threads.ts starts the threads, data-parallel/ the workers.
 */

/** The most threads tfjs's threaded build uses (it starts 8 pthread workers with the module). */
export const MAX_WASM_THREADS = 8;

/**
 * How many workers share each training step of learner code in the page, each on one WASM thread
 * (data-parallel/README.md, "Measured"): both logical cores of a 2-core machine (measured there: 1.3x one
 * worker, where tfjs's thread pool gave 1.05-1.3x), half of them above that (hyper-threads share
 * a core's vector units, and one core in two stays for the page), at most 8. Workers replace
 * tfjs's thread pool in the lab: they split the whole step, where the pool splits only XNNPACK's
 * convolutions and products. 1 without shared memory (a page that is not cross-origin isolated).
 */
export function labTrainingWorkers(logicalCores: number, sharedMemory: boolean): number {
  if (!sharedMemory || !Number.isFinite(logicalCores) || logicalCores < 2) return 1;
  if (logicalCores <= 3) return 2;
  return Math.min(MAX_WASM_THREADS, Math.floor(logicalCores / 2));
}
