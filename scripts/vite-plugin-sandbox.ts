/**
 * Vite plugin for the page's sandbox (docs/architecture.md, "Trust boundary"):
 *
 * - `/sandbox.html`: the frame the page opens with `sandbox="allow-scripts"` for each run. Its one
 *   inline script takes the worker's source from the page and starts it from a `blob:` URL. Its
 *   Content-Security-Policy allows that script (by hash), `blob:` workers and fetches of `blob:`
 *   URLs, eval (learner code is compiled with `new Function`) and WASM; nothing else. It is served
 *   by this plugin with that policy as a header too, never with the app's own policy, which forbids
 *   eval.
 * - `/sandbox-worker.js`: src/sandbox/browser-worker.ts and tfjs bundled into one classic script
 *   (a `blob:` worker cannot import other files), with rolldown as for the service worker.
 *
 * Both are emitted into the build (so the service worker precaches them) and served live by the
 * dev and preview servers.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { rolldown } from 'rolldown';
import type { Plugin } from 'vite';

export const SANDBOX_HTML = 'sandbox.html';
export const SANDBOX_WORKER = 'sandbox-worker.js';

/**
 * The frame's script: the page posts `{ type: 'cv-lab-sandbox-start', source, port, wasm }` once;
 * the frame starts the worker and hands it the port and the binaries. Messages from anything but
 * the parent are ignored.
 */
const FRAME_SCRIPT = `
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

function scriptHash(script: string): string {
  return `'sha256-${createHash('sha256').update(script).digest('base64')}'`;
}

/** The sandbox frame's policy: its own script, blob workers, eval and WASM; no network at all. */
export function sandboxPolicy(): string {
  return [
    "default-src 'none'",
    `script-src ${scriptHash(FRAME_SCRIPT)} blob: 'unsafe-eval' 'wasm-unsafe-eval'`,
    'worker-src blob:',
    'connect-src blob:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function sandboxHtml(): string {
  return (
    '<!doctype html>\n<html><head><meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="${sandboxPolicy()}">\n` +
    `<title>CV Lab sandbox</title></head><body><script>${FRAME_SCRIPT}</script></body></html>\n`
  );
}

export async function bundleSandboxWorker(root: string): Promise<string> {
  const bundle = await rolldown({
    input: path.join(root, 'src/sandbox/browser-worker.ts'),
    platform: 'browser',
    logLevel: 'silent',
  });
  try {
    const { output } = await bundle.generate({ format: 'iife', codeSplitting: false } as never);
    return output[0].code;
  } finally {
    await bundle.close();
  }
}

/** Headers of the two files: the sandbox policy, and the isolation the app's page runs under. */
function sendSandboxFile(res: ServerResponse, type: string, body: string): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Security-Policy', sandboxPolicy());
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-cache');
  res.end(body);
}

export function sandboxPlugin({ root }: { root: string }): Plugin {
  let worker: Promise<string> | undefined;
  const serve =
    (readWorker: () => Promise<string>) =>
    (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
      const url = (req.url ?? '').split('?')[0];
      if (url === `/${SANDBOX_HTML}`) return sendSandboxFile(res, 'text/html; charset=utf-8', sandboxHtml());
      if (url === `/${SANDBOX_WORKER}`) {
        readWorker().then(
          (code) => sendSandboxFile(res, 'text/javascript; charset=utf-8', code),
          (error: Error) => {
            res.statusCode = 500;
            res.end(`sandbox worker: ${error.message}`);
          },
        );
        return;
      }
      next();
    };
  return {
    name: 'cv-lab-sandbox',
    configureServer(server) {
      // Rebuilt on each request in development, so edits to core show up on the next run.
      server.middlewares.use(serve(() => bundleSandboxWorker(root)));
    },
    configurePreviewServer(server) {
      const outDir = path.resolve(root, server.config.build.outDir);
      server.middlewares.use(serve(async () => fs.readFileSync(path.join(outDir, SANDBOX_WORKER), 'utf8')));
    },
    async generateBundle() {
      worker ??= bundleSandboxWorker(root);
      this.emitFile({ type: 'asset', fileName: SANDBOX_HTML, source: sandboxHtml() });
      this.emitFile({ type: 'asset', fileName: SANDBOX_WORKER, source: await worker });
    },
  };
}
