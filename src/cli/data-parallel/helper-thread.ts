/**
 * A gradient helper in Node: the body of the worker thread node-helpers.ts starts. It trains no
 * model of its own: it starts tfjs's WASM backend on one thread, tells its parent it is up, and
 * answers the parent's training steps (packages/runtime/src/data-parallel/gradient-helper.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { bufferInbox, HELPER_READY } from '@cv-lab/runtime/data-parallel';
import { serveLabGradientHelper } from '../../core/sandbox/gradient-helper-body';

const port = parentPort;
if (!port) throw new Error('helper-thread.ts runs as a worker thread (node-helpers.ts)');

const inbox = bufferInbox();
port.on('message', (buffer: SharedArrayBuffer) => inbox.deliver(buffer));
await initNodeBackend('wasm');
const { memoryLimitBytes } = (workerData ?? {}) as { memoryLimitBytes?: number };
await serveLabGradientHelper(tf, inbox, () => port.postMessage(HELPER_READY), memoryLimitBytes);
port.close();
