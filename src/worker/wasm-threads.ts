/**
 * The threaded WASM build as the app's trusted workers (lab worker, bench worker) load it
 * (packages/runtime/src/backend-wasm-threads.ts says why tfjs cannot start it itself once bundled): the
 * pthread workers load the glue file as the package ships it, emitted unbundled as an asset of the
 * app's own origin (`?url`), so its factory's text stays self-contained, and the
 * Content-Security-Policy's `script-src 'self'` and the page's COEP (`require-corp`) allow it.
 */
import threadedGlueUrl from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { ThreadedWasmSources } from '@cv-lab/runtime/kernels';
import { browserThreadedWasmSources } from '@cv-lab/runtime/browser-threads';

export function workerThreadedWasmSources(): ThreadedWasmSources {
  // A pthread worker starts from a blob: URL, against which a relative path would not resolve.
  return browserThreadedWasmSources(new URL(threadedGlueUrl, self.location.href).href, async () => {
    const response = await fetch(wasmThreadedSimdUrl);
    if (!response.ok) throw new Error(`could not load ${wasmThreadedSimdUrl}: HTTP ${response.status}`);
    return response.arrayBuffer();
  });
}
