/**
 * Opens the page's sandbox for one run: a hidden iframe with `sandbox="allow-scripts"` (an opaque
 * origin) whose `srcdoc` is the frame document of security/sandbox-frame-document.ts (its own
 * strict Content-Security-Policy, and no network needed, so it opens offline), in which a worker
 * built from /sandbox-worker.js runs the learner's code (docs/architecture.md, "Trust
 * boundary"). The page only wires it: the worker's port goes to the trusted lab worker, which
 * runs the protocol. Closing the sandbox removes the frame, which ends its worker at once, even
 * in `while (true) {}`.
 */
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import { sandboxFrameDocument } from '../security/sandbox-frame-document';

export interface SandboxFrame {
  /** The worker's end of the run protocol: hand it to the lab worker (transfer it). */
  port: MessagePort;
  /** Removes the frame and so ends the worker. Safe to call twice. */
  close(): void;
}

/**
 * What the frame needs from the page, fetched from the app's origin once per page. The worker's
 * source (several MB) stays a Blob: read as text, its decoding held the page's main thread for
 * hundreds of milliseconds as a run started; a Blob crosses into the frame by reference, and the
 * frame's `new Blob([source])` takes it as it is.
 */
let material: Promise<{ source: Blob; wasm: Record<string, ArrayBuffer> }> | undefined;

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return response.arrayBuffer();
}

function sandboxMaterial() {
  material ??= (async () => {
    // tfjs's single-threaded builds only: the sandbox uses every core through data-parallel
    // workers (src/sandbox/browser-worker.ts), not through tfjs's thread pool.
    const [source, plain, simd] = await Promise.all([
      fetch('/sandbox-worker.js').then((r) => {
        if (!r.ok) throw new Error(`/sandbox-worker.js: ${r.status} ${r.statusText}`);
        return r.blob();
      }),
      fetchBytes(wasmPlainUrl),
      fetchBytes(wasmSimdUrl),
    ]);
    const wasm: Record<string, ArrayBuffer> = {
      'tfjs-backend-wasm.wasm': plain,
      'tfjs-backend-wasm-simd.wasm': simd,
    };
    return { source, wasm };
  })();
  material.catch(() => {
    material = undefined;
  });
  return material;
}

/**
 * Fetches what the frame needs now (on opening an exercise), so that pressing Run does not wait
 * for it; a failure is left for `openSandboxFrame` to report.
 */
export function prefetchSandboxMaterial(): void {
  sandboxMaterial().catch(() => undefined);
}

/** Seconds the frame may take to load before opening it fails. */
const FRAME_LOAD_SECONDS = 30;

export async function openSandboxFrame(): Promise<SandboxFrame> {
  const { source, wasm } = await sandboxMaterial();
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  // Cross-origin isolation for the frame's opaque origin (shared memory for WASM threads): a
  // permission of the frame, not an origin; without allow-same-origin it reaches nothing of ours.
  frame.setAttribute('allow', 'cross-origin-isolated');
  frame.setAttribute('aria-hidden', 'true');
  frame.title = 'CV Lab sandbox';
  frame.srcdoc = sandboxFrameDocument();
  frame.style.display = 'none';
  const close = () => frame.remove();
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      window.removeEventListener('message', onMessage);
      reject(new Error(`the sandbox frame did not load within ${FRAME_LOAD_SECONDS} s`));
    }, FRAME_LOAD_SECONDS * 1000);
    function onMessage(event: MessageEvent) {
      if (event.source !== frame.contentWindow || event.data?.type !== 'cv-lab-sandbox-ready') return;
      window.removeEventListener('message', onMessage);
      clearTimeout(timer);
      resolve();
    }
    window.addEventListener('message', onMessage);
  });
  document.body.appendChild(frame);
  try {
    await ready;
  } catch (error) {
    close();
    throw error;
  }
  const channel = new MessageChannel();
  // Copies of the binaries: the cached ones stay with the page for the next run.
  const copies = Object.fromEntries(Object.entries(wasm).map(([name, bytes]) => [name, bytes.slice(0)]));
  // An opaque origin has no name to target: '*' is the only target it accepts.
  frame.contentWindow!.postMessage(
    { type: 'cv-lab-sandbox-start', source, port: channel.port2, wasm: copies },
    '*',
    [channel.port2, ...Object.values(copies)],
  );
  return { port: channel.port1, close };
}
