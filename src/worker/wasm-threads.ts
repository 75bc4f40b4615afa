/**
 * The threaded WASM build's parts as the app's trusted workers (lab worker, bench worker) load them
 * (core/runtime/backend-wasm-threads.ts says why tfjs cannot start it itself once bundled).
 *
 * - this worker runs the bundled glue's factory;
 * - every pthread worker loads the glue file as the package ships it, emitted unbundled as an asset
 *   of the app's own origin (`?url`): its factory's text stays self-contained, and the
 *   Content-Security-Policy's `script-src 'self'` and the page's COEP (`require-corp`) allow it;
 * - the pthread worker script is tfjs's own, from a `blob:` URL (`worker-src blob:`), as tfjs does.
 */
import * as threadedGlue from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
import threadedGlueUrl from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?url';
import { wasmWorkerContents } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import {
  pthreadWorkerScript,
  type ThreadedWasmFactory,
  type ThreadedWasmSources,
} from '../core/runtime/backend-wasm-threads';

let sources: ThreadedWasmSources | undefined;

export function browserThreadedWasmSources(): ThreadedWasmSources {
  if (sources) return sources;
  const glue = threadedGlue as unknown as { default?: ThreadedWasmFactory } & ThreadedWasmFactory;
  const script = new Blob([pthreadWorkerScript(wasmWorkerContents)], { type: 'text/javascript' });
  sources = {
    factory: glue.default ?? glue,
    // A pthread worker starts from a blob: URL, against which a relative path would not resolve.
    glue: new URL(threadedGlueUrl, self.location.href).href,
    pthreadWorker: URL.createObjectURL(script),
    wasmBinary: async () => {
      const response = await fetch(wasmThreadedSimdUrl);
      if (!response.ok) throw new Error(`could not load ${wasmThreadedSimdUrl}: HTTP ${response.status}`);
      return response.arrayBuffer();
    },
  };
  return sources;
}
