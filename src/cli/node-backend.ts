/**
 * Starts a tfjs backend in Node for the CLI and the tests: `initNodeBackend('wasm')` points the WASM
 * backend at its binaries in node_modules, registers our training kernels and waits until the backend
 * is ready; `initNodeBackend('cpu')` just selects the CPU backend. Safe to call repeatedly.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../core/runtime/wasm-training-kernels';

export type NodeBackendName = 'wasm' | 'cpu';

let wasmPathsSet = false;

export async function initNodeBackend(name: NodeBackendName): Promise<void> {
  if (name === 'wasm') {
    if (!wasmPathsSet) {
      // The package's main file lives in dist/, next to the .wasm binaries; a trailing slash makes
      // this a prefix for every binary name.
      const require = createRequire(import.meta.url);
      setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
      wasmPathsSet = true;
    }
    registerWasmTrainingKernels();
  }
  if (!(await tf.setBackend(name))) {
    throw new Error(`tfjs backend ${name} could not be initialised`);
  }
  await tf.ready();
}
