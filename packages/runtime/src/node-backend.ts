/**
 * Starts a tfjs backend in Node for the CLI and the tests: `initNodeBackend('wasm')` points the WASM
 * backend at its binaries in node_modules, registers our training kernels and waits until the backend
 * is ready; `initNodeBackend('cpu')` just selects the CPU backend. Safe to call repeatedly.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './wasm-training-kernels';

export type NodeBackendName = 'wasm' | 'cpu';

let wasmPathsSet = false;

/**
 * tfjs's CPU backend prints, on its first use in Node, a banner that recommends installing
 * tfjs-node — a package that cannot install here (it downloads a binary) and that the CLI does not
 * need (our WASM kernels are its fast path). The banner is printed once per backend instance, so
 * marking that instance as used keeps it off the CLI's stderr.
 */
function silenceTfjsNodeHint(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

export async function initNodeBackend(name: NodeBackendName): Promise<void> {
  silenceTfjsNodeHint();
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
