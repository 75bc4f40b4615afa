/**
 * The page sandbox's frame document (docs/sandbox.md): an `<iframe sandbox="allow-scripts">` with
 * this HTML as its `srcdoc`, so its origin is opaque and loading it needs no network — a sandboxed
 * frame's navigation is never answered by the service worker, and `srcdoc` works offline.
 *
 * A `srcdoc` frame inherits the page's policy and adds its own (both must allow a thing): the page's
 * policy lets this one script run by its hash; the frame's own policy below lets it fetch nothing but
 * `blob:` URLs it made itself, and its worker (started from a `blob:` URL) inherits both.
 *
 * The script: the page posts `{ type: 'cv-lab-sandbox-start', source, port, wasm }` once; the frame
 * starts the worker from the source (the worker's script, a Blob) and hands it the port and tfjs's WASM binaries. Messages from
 * anything but the parent are ignored.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToBase64 } from '../../core/shared/base64';

export const FRAME_SCRIPT = `
addEventListener('message', function start(event) {
  var data = event.data;
  if (event.source !== parent || !data || data.type !== 'cv-lab-sandbox-start') return;
  removeEventListener('message', start);
  var url = URL.createObjectURL(new Blob([data.source], { type: 'text/javascript' }));
  var worker = new Worker(url, { name: 'cv-lab sandbox' });
  var buffers = Object.keys(data.wasm).map(function (k) { return data.wasm[k]; });
  worker.postMessage({ type: 'cv-lab-sandbox-init', port: data.port, wasm: data.wasm }, [data.port].concat(buffers));
});
parent.postMessage({ type: 'cv-lab-sandbox-ready' }, '*');
`;

/** `'sha256-…'`: the source expression that lets exactly the frame's script run. */
export const frameScriptHash = `'sha256-${bytesToBase64(sha256(new TextEncoder().encode(FRAME_SCRIPT)))}'`;

/** The frame's own policy: its script, `blob:` workers, eval (learner code) and WASM; no network. */
export const sandboxFramePolicy = [
  "default-src 'none'",
  `script-src ${frameScriptHash} blob: 'unsafe-eval' 'wasm-unsafe-eval'`,
  'worker-src blob:',
  'connect-src blob:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function sandboxFrameDocument(): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${sandboxFramePolicy}">` +
    `<title>CV Lab sandbox</title></head><body><script>${FRAME_SCRIPT}</script></body></html>`
  );
}
