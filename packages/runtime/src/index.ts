/**
 * @cv-lab/runtime: the part of CV Lab that runs tfjs (README.md). This entry needs no tfjs at load
 * time: every function that trains is handed the tfjs instance (`tf: TF`), so the page's main
 * thread, which ranks backends but never trains, imports it without loading tfjs.
 * The training kernels, which patch tfjs-core's kernel registry, are `@cv-lab/runtime/kernels`;
 * starting a backend in Node is `@cv-lab/runtime/node`.
 */

/** Backend choice: names, the order to try them in, the probe of a training step against the CPU. */
export * from './backend';
/** The choice by measured speed: ranking, and the figures a browser keeps per device. */
export * from './backend-speed';
/** Timed training steps, the measure `backend-speed` ranks by. */
export * from './backend-timing';
export { labTrainingWorkers, MAX_WASM_THREADS } from './wasm-threads-count';
