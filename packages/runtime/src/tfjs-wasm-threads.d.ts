/** tfjs-backend-wasm's pthread worker script, shipped as a string (backend-wasm-threads.ts uses it). */
declare module '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js' {
  export const wasmWorkerContents: string;
}
