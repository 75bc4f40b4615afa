/**
 * How many WASM threads: a module of its own, without tfjs, so that the page (Settings, the sandbox
 * frame's set-up) can ask without bundling the WASM backend. backend-wasm-threads.ts starts them.
 */

/** The most threads tfjs's threaded build uses (it starts 8 pthread workers with the module). */
export const MAX_WASM_THREADS = 8;

/**
 * How many threads the lab trains on, from the logical cores the environment reports: half of them
 * (as tfjs's own default: most x86 cores run two hardware threads, and XNNPACK gains little from the
 * second), at most 8, so one core in two stays for tfjs's JavaScript, our single-threaded kernels
 * and the page. 1 means tfjs's single-threaded build.
 */
export function labWasmThreads(logicalCores: number): number {
  if (!Number.isFinite(logicalCores)) return 1;
  return Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(logicalCores / 2)));
}
