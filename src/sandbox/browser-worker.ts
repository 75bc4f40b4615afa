/**
 * The page sandbox's worker: the only place the page runs learner code. The page starts it inside an
 * iframe with `sandbox="allow-scripts"` (an opaque origin: no cookies, no IndexedDB, no Cache Storage
 * of the app) whose Content-Security-Policy lets it fetch nothing but `blob:` URLs it made itself
 * (src/app/security/sandbox-frame-document.ts). It is bundled into one classic script
 * with tfjs, and started from a `blob:` URL of the frame, so it inherits that policy.
 *
 * Its first message brings the port to the trusted lab worker (the host of the run protocol) and
 * tfjs's WASM binaries as bytes; after that it serves one job (core/sandbox/sandbox-side.ts).
 *
 * The same script is the sandbox's gradient helpers (packages/runtime/src/data-parallel): where the
 * frame is cross-origin isolated and the machine has cores to spare, the sandbox starts copies of
 * itself from its own `blob:` URL, each told by its first message to serve training steps on
 * shared memory instead of a job. A helper runs no learner code; it rebuilds the learner's model
 * from its serialized topology.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, wasmThreadsPossible } from '@cv-lab/runtime/kernels';
import { labTrainingWorkers } from '@cv-lab/runtime';
import {
  bufferInbox,
  HELPER_READY,
  installDataParallelTraining,
  linkBrowserHelper,
  type HelperLink,
} from '@cv-lab/runtime/data-parallel';
import { routeConsole } from '../core/sandbox/console';
import { serveLabGradientHelper } from '../core/sandbox/gradient-helper-body';
import type { HostMessage, SandboxMessage } from '../core/sandbox/protocol';
import { serveSandbox } from '../core/sandbox/sandbox-side';

/** What the frame hands over, once. */
export interface SandboxWorkerInit {
  type: 'cv-lab-sandbox-init';
  port: MessagePort;
  /** tfjs-backend-wasm binaries by file name (`tfjs-backend-wasm-simd.wasm`, ...). */
  wasm: Record<string, ArrayBuffer>;
}

/** What the sandbox hands each gradient helper it starts, once; buffers follow as messages. */
interface HelperInit {
  type: 'cv-lab-gradient-helper-init';
  wasm: Record<string, ArrayBuffer>;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent) => void) | null;
  addEventListener(type: string, listener: (event: Event) => void): void;
};

scope.onmessage = (event: MessageEvent) => {
  const init = event.data as SandboxWorkerInit | HelperInit;
  if (init?.type === 'cv-lab-gradient-helper-init') {
    scope.onmessage = null;
    void serveAsHelper(init);
    return;
  }
  if (init?.type !== 'cv-lab-sandbox-init') return;
  scope.onmessage = null;
  startWasm(init.wasm);
  // Shared memory (the frame is cross-origin isolated, its origin still opaque) lets a training
  // step be split across workers, each on tfjs's single-threaded build.
  const workers = labTrainingWorkers(navigator.hardwareConcurrency, wasmThreadsPossible());
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
    {
      tf,
      trainAcrossWorkers:
        workers > 1
          ? {
              workers,
              install: (onNotice) =>
                installDataParallelTraining(tf, {
                  helpers: workers - 1,
                  startHelper: () => startHelper(init.wasm),
                  onNotice,
                }),
            }
          : undefined,
    },
  );
  // An error thrown from a learner's timer or a forgotten promise ends the job with its line.
  scope.addEventListener('error', (error) =>
    sandbox.crashed((error as ErrorEvent).error ?? (error as ErrorEvent).message),
  );
  scope.addEventListener('unhandledrejection', (error) =>
    sandbox.crashed((error as PromiseRejectionEvent).reason),
  );
};

/** tfjs's single-threaded WASM build from the binaries the frame handed over, with our kernels. */
function startWasm(wasm: Record<string, ArrayBuffer>): void {
  const paths: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(wasm)) {
    paths[name] = URL.createObjectURL(new Blob([bytes], { type: 'application/wasm' }));
  }
  // tfjs would start its threaded build where shared memory exists; its binary is not handed over.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  paths['tfjs-backend-wasm-threaded-simd.wasm'] ??= paths['tfjs-backend-wasm-simd.wasm'];
  setWasmPaths(paths);
  registerWasmTrainingKernels();
}

/** A helper: a copy of this script, started from its own `blob:` URL. */
function startHelper(wasm: Record<string, ArrayBuffer>): HelperLink {
  const init: HelperInit = { type: 'cv-lab-gradient-helper-init', wasm };
  return linkBrowserHelper(new Worker(self.location.href, { name: 'cv-lab gradient helper' }), init);
}

async function serveAsHelper(init: HelperInit): Promise<void> {
  const inbox = bufferInbox();
  scope.onmessage = (event: MessageEvent) => inbox.deliver(event.data as SharedArrayBuffer);
  startWasm(init.wasm);
  if (!(await tf.setBackend('wasm'))) throw new Error('the WASM backend did not start in a gradient helper');
  await serveLabGradientHelper(tf, inbox, () => self.postMessage(HELPER_READY));
}
