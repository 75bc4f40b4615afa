/**
 * The page sandbox's worker: the only place the page runs learner code. The page starts it inside an
 * iframe with `sandbox="allow-scripts"` (an opaque origin: no cookies, no IndexedDB, no Cache Storage
 * of the app) whose Content-Security-Policy lets it fetch nothing but `blob:` URLs it made itself
 * (src/app/security/sandbox-frame-document.ts). It is bundled into one classic script
 * with tfjs, and started from a `blob:` URL of the frame, so it inherits that policy.
 *
 * Its first message brings the port to the trusted lab worker (the host of the run protocol) and
 * tfjs's WASM binaries as bytes; after that it serves one job (core/sandbox/sandbox-side.ts).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, setWasmThreads, wasmThreadsPossible } from '@cv-lab/runtime/kernels';
import { labWasmThreads } from '@cv-lab/runtime';
import { browserThreadedWasmSources } from '@cv-lab/runtime/browser-threads';
import { routeConsole } from '../core/sandbox/console';
import type { HostMessage, SandboxMessage } from '../core/sandbox/protocol';
import { serveSandbox } from '../core/sandbox/sandbox-side';

/** What the frame hands over, once. */
export interface SandboxWorkerInit {
  type: 'cv-lab-sandbox-init';
  port: MessagePort;
  /**
   * tfjs-backend-wasm binaries by file name (`tfjs-backend-wasm-simd.wasm`, ...); where the page
   * gives threads to the sandbox, also the threaded build's binary and its glue's text
   * (`tfjs-backend-wasm-threaded-simd.js`).
   */
  wasm: Record<string, ArrayBuffer>;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent) => void) | null;
  addEventListener(type: string, listener: (event: Event) => void): void;
};

scope.onmessage = (event: MessageEvent) => {
  const init = event.data as SandboxWorkerInit;
  if (init?.type !== 'cv-lab-sandbox-init') return;
  scope.onmessage = null;
  const paths: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(init.wasm)) {
    paths[name] = URL.createObjectURL(new Blob([bytes], { type: 'application/wasm' }));
  }
  // tfjs's own start of the threaded build breaks once bundled (packages/runtime/src/backend-wasm-threads.ts):
  // its single-threaded build is the fallback, and we start the threaded one ourselves.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  paths['tfjs-backend-wasm-threaded-simd.wasm'] ??= paths['tfjs-backend-wasm-simd.wasm'];
  setWasmPaths(paths);
  registerWasmTrainingKernels();
  const threadedBinary = init.wasm['tfjs-backend-wasm-threaded-simd.wasm'];
  const threadedGlue = init.wasm['tfjs-backend-wasm-threaded-simd.js'];
  // The frame is cross-origin isolated (its iframe's `allow`) though its origin stays opaque.
  if (threadedBinary && threadedGlue && wasmThreadsPossible()) {
    const glue = new Blob([threadedGlue], { type: 'text/javascript' });
    setWasmThreads(
      tf,
      browserThreadedWasmSources(glue, async () => threadedBinary),
      labWasmThreads(navigator.hardwareConcurrency),
    );
  }
  const port = init.port;
  const listeners: ((message: HostMessage) => void)[] = [];
  port.onmessage = (message) => listeners.forEach((listener) => listener(message.data as HostMessage));
  const post = (message: SandboxMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  routeConsole((runEvent) => post({ type: 'event', event: runEvent }));
  const sandbox = serveSandbox(
    {
      send: (message, transfer) => post(message, transfer),
      onMessage: (listener) => listeners.push(listener),
    },
    { tf },
  );
  // An error thrown from a learner's timer or a forgotten promise ends the job with its line.
  scope.addEventListener('error', (error) =>
    sandbox.crashed((error as ErrorEvent).error ?? (error as ErrorEvent).message),
  );
  scope.addEventListener('unhandledrejection', (error) =>
    sandbox.crashed((error as PromiseRejectionEvent).reason),
  );
};
