/**
 * Starts a tfjs backend in Node for the CLI and the tests: `initNodeBackend('wasm')` points the WASM
 * backend at its binaries in node_modules, registers our training kernels and waits until the backend
 * is ready; `initNodeBackend('wasm-threads')` does the same on tfjs's threaded build with one thread
 * per core (packages/runtime/src/backend-wasm-threads.ts); `initNodeBackend('cpu')` just selects the CPU
 * backend. Safe to call repeatedly; switching between 'wasm' and 'wasm-threads' restarts the backend.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  pthreadWorkerScript,
  setWasmThreads,
  type ThreadedWasmFactory,
  type ThreadedWasmSources,
} from './backend-wasm-threads';
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

/**
 * The threaded build's parts in node_modules. Node's worker threads start from a file, and tfjs
 * ships the pthread worker script as a string: it is written once next to the packages (named by
 * its hash, like the sandbox bundle), where the permission-model child may read it too.
 */
export function nodeThreadedWasmSources(
  packagesDir = packagesOf(createRequire(import.meta.url)),
): ThreadedWasmSources {
  const require = createRequire(join(packagesDir, 'cv-lab-resolve.cjs'));
  const wasmOut = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '..', 'wasm-out');
  const glue = join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  const script = pthreadWorkerScript(wasmWorkerContents);
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 16);
  const pthreadWorker = join(packagesDir, '.cache', 'cv-lab', `wasm-pthread-worker-${hash}.cjs`);
  if (!existsSync(pthreadWorker) || readFileSync(pthreadWorker, 'utf8') !== script) {
    mkdirSync(dirname(pthreadWorker), { recursive: true });
    const temporary = `${pthreadWorker}.${process.pid}.tmp`;
    writeFileSync(temporary, script);
    renameSync(temporary, pthreadWorker);
  }
  return {
    factory: require(glue) as ThreadedWasmFactory,
    glue,
    pthreadWorker,
    wasmBinary: () => readFile(join(wasmOut, '..', 'dist', 'tfjs-backend-wasm-threaded-simd.wasm')),
  };
}

/** The node_modules folder tfjs-backend-wasm is installed in. */
function packagesOf(require: NodeJS.Require): string {
  const main = require.resolve('@tensorflow/tfjs-backend-wasm');
  return main.slice(0, main.lastIndexOf(join('node_modules', '@tensorflow')) + 'node_modules'.length);
}

let threadedSources: ThreadedWasmSources | undefined;

/** One thread per core the process may use (the threaded build takes at most 8). */
export function nodeWasmThreads(): number {
  return availableParallelism();
}

/**
 * Ends the threaded build's worker threads (they keep Node alive) by giving 'wasm' back to tfjs's
 * single-threaded build; call when done with 'wasm-threads'.
 */
export function releaseNodeWasmThreads(): void {
  setWasmThreads(tf, null, 1);
}

export async function initNodeBackend(name: NodeBackendName | 'wasm-threads'): Promise<void> {
  silenceTfjsNodeHint();
  if (name === 'wasm' || name === 'wasm-threads') {
    if (!wasmPathsSet) {
      // The package's main file lives in dist/, next to the .wasm binaries; a trailing slash makes
      // this a prefix for every binary name.
      const require = createRequire(import.meta.url);
      setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
      wasmPathsSet = true;
    }
    registerWasmTrainingKernels();
    if (name === 'wasm-threads') threadedSources ??= nodeThreadedWasmSources();
    setWasmThreads(
      tf,
      name === 'wasm-threads' ? (threadedSources ?? null) : null,
      name === 'wasm-threads' ? nodeWasmThreads() : 1,
    );
  }
  const backend = name === 'wasm-threads' ? 'wasm' : name;
  if (!(await tf.setBackend(backend))) {
    throw new Error(`tfjs backend ${name} could not be initialised`);
  }
  await tf.ready();
}
