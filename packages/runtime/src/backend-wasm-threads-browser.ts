/**
 * The threaded WASM build's parts that every browser context takes from the bundle: the glue's
 * factory for its own thread and tfjs's pthread worker script as a `blob:` URL (as tfjs does). What
 * differs is the glue for the pthread workers and the binary: the lab and bench workers load them
 * from the app's origin (src/worker/wasm-threads.ts), the page's sandbox gets them as bytes from the
 * page (src/sandbox/browser-worker.ts). Why the workers need the glue unbundled: backend-wasm-threads.ts.
 */
import * as threadedGlue from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
import { wasmWorkerContents } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
import {
  pthreadWorkerScript,
  type ThreadedWasmFactory,
  type ThreadedWasmSources,
} from './backend-wasm-threads';

let pthreadWorkerUrl: string | undefined;

/**
 * Put before tfjs's pthread worker script: it loads the glue with `importScripts`, from a `blob:` URL
 * where the glue came as a Blob (the page's sandbox). The sandbox frame inherits the page's
 * Content-Security-Policy, whose `script-src` has no `blob:`, so there the glue is read with a
 * synchronous request (`connect-src blob:`) and evaluated (both policies allow eval: learner code
 * needs it). Other URLs load as they did.
 */
const IMPORT_BLOB_SCRIPTS = `(() => {
  const load = self.importScripts.bind(self);
  self.importScripts = (...urls) => urls.forEach((url) => {
    if (!String(url).startsWith('blob:')) return load(url);
    const request = new XMLHttpRequest();
    request.open('GET', url, false);
    request.send();
    (0, eval)(request.responseText);
  });
})();
`;

export function browserThreadedWasmSources(
  glue: Blob | string,
  wasmBinary: () => Promise<BufferSource>,
): ThreadedWasmSources {
  const module = threadedGlue as unknown as { default?: ThreadedWasmFactory } & ThreadedWasmFactory;
  pthreadWorkerUrl ??= URL.createObjectURL(
    new Blob([IMPORT_BLOB_SCRIPTS, pthreadWorkerScript(wasmWorkerContents)], { type: 'text/javascript' }),
  );
  return { factory: module.default ?? module, glue, pthreadWorker: pthreadWorkerUrl, wasmBinary };
}
