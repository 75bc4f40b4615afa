/**
 * The CLI sandbox's entry: the first and only module of a child process that Node's permission
 * model confines (src/cli/sandbox/node-sandbox.ts starts it: no file writes, no reads outside the
 * packages, no child processes, no worker threads, an empty environment, and on Linux a network
 * namespace of its own). It starts tfjs, closes what the permission model leaves open (network
 * globals, `process.kill`, native bindings), and serves one job of the run protocol over the IPC
 * channel (core/sandbox/sandbox-side.ts).
 *
 * It imports core only; it is bundled into one file at first use (tfjs stays external), so the child
 * runs no TypeScript loader, which would need a worker thread.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '@cv-lab/runtime/kernels';
import { readSync, writeSync } from 'node:fs';
import {
  HELPER_FD,
  TRAINING_HELPERS_FLAG,
  type HostMessage,
  type SandboxMessage,
} from '../core/sandbox/protocol';
import { installDataParallelTraining, streamLink, type BlockingStream } from '@cv-lab/runtime/data-parallel';
import { serveSandbox } from '../core/sandbox/sandbox-side';
import { routeConsole } from '../core/sandbox/console';

const send = process.send?.bind(process);
if (!send) throw new Error('node-entry.ts runs as a child process with an IPC channel (node-sandbox.ts)');

setWasmPaths(join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), '/'));
registerWasmTrainingKernels();
const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
if (cpu && 'firstUse' in cpu) cpu.firstUse = false;

lockDown();

const listeners: ((message: HostMessage) => void)[] = [];
process.on('message', (message) => listeners.forEach((listener) => listener(message as HostMessage)));
const post = (message: SandboxMessage) => send(message);
routeConsole((event) => post({ type: 'event', event }));
// Gradient helpers run in the host's process, each behind a pipe (this child may start no thread):
// an unseeded run's training steps are split with them (core/sandbox/sandbox-side.ts).
const helpers = Number(
  process.argv.find((arg) => arg.startsWith(TRAINING_HELPERS_FLAG))?.slice(TRAINING_HELPERS_FLAG.length) ?? 0,
);
const sandbox = serveSandbox(
  {
    send: (message) => post(message),
    onMessage: (listener) => listeners.push(listener),
  },
  {
    tf,
    trainAcrossWorkers:
      Number.isInteger(helpers) && helpers > 0
        ? {
            workers: helpers + 1,
            install: (onNotice) =>
              installDataParallelTraining(tf, {
                helpers,
                startHelper: (index) => streamLink(blockingPipe(HELPER_FD + index)),
                onNotice,
              }),
          }
        : undefined,
  },
);
// An error thrown from a learner's timer or a forgotten promise ends the job with its line.
process.on('uncaughtException', (error) => sandbox.crashed(error));
process.on('unhandledRejection', (error) => sandbox.crashed(error));

/** Blocking reads and writes of an inherited pipe (the host's end is a socket of its own). */
function blockingPipe(fd: number): BlockingStream {
  return {
    write(bytes) {
      for (let written = 0; written < bytes.length;)
        written += writeSync(fd, bytes, written, bytes.length - written);
    },
    readExactly(bytes) {
      for (let read = 0; read < bytes.length;) {
        const got = readSync(fd, bytes, read, bytes.length - read, null);
        if (got === 0) throw new Error('the gradient helper’s pipe closed');
        read += got;
      }
    },
  };
}

/**
 * What the permission model of Node 20 does not cover, closed by hand before learner code runs:
 * network clients (Linux also gives the process no network at all), signals to other processes,
 * native addons and internal bindings, and the IPC channel itself (learner code cannot post
 * protocol messages of its own through `process.send`; the host validates every message anyway).
 */
function lockDown(): void {
  const refuse = (what: string) => () => {
    throw new Error(`${what} is not available to learner code`);
  };
  for (const name of ['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest', 'Request', 'navigator']) {
    try {
      Object.defineProperty(globalThis, name, { value: undefined, writable: false, configurable: false });
    } catch {
      // not defined in this Node
    }
  }
  const proc = process as unknown as Record<string, unknown>;
  const sealed: Record<string, unknown> = {
    getBuiltinModule: refuse('process.getBuiltinModule'),
    binding: refuse('process.binding'),
    _linkedBinding: refuse('process._linkedBinding'),
    dlopen: refuse('process.dlopen'),
    kill: refuse('process.kill'),
    _kill: refuse('process.kill'),
    send: undefined,
    env: Object.freeze({}),
  };
  for (const [name, value] of Object.entries(sealed)) {
    try {
      Object.defineProperty(proc, name, { value, writable: false, configurable: false });
    } catch {
      proc[name] = value;
    }
  }
}
