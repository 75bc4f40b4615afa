/**
 * @cv-lab/runtime/kernels: our WASM SIMD training kernels for tfjs's WASM backend, and the kernel
 * profiler. Importing this loads tfjs-core (the registry the kernels patch) and the kernels' binary;
 * nothing is registered until `registerWasmTrainingKernels()` is called (README.md).
 */
export { registerWasmTrainingKernels, wasmTrainingKernelConfigs } from './wasm-training-kernels';
export { profileKernels, type KernelTime } from './kernel-profiler';
export {
  pthreadWorkerScript,
  setWasmThreads,
  wasmBackendThreads,
  wasmThreadsPossible,
  type ThreadedWasmFactory,
  type ThreadedWasmSources,
} from './backend-wasm-threads';
