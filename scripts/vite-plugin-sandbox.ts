/**
 * Vite plugin for the page's sandbox (docs/sandbox.md): `/sandbox-worker.js`, src/sandbox/
 * browser-worker.ts and tfjs bundled into one classic script (a `blob:` worker cannot import other
 * files), with rolldown as for the service worker. Emitted into the build (so the service worker
 * precaches it) and served live by the dev and preview servers. The frame that starts it is a
 * `srcdoc` document (src/app/security/sandbox-frame-document.ts).
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { rolldown } from 'rolldown';
import type { Plugin } from 'vite';

export const SANDBOX_WORKER = 'sandbox-worker.js';

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

/** The worker's source, with the isolation headers the app's files carry. */
function sendSandboxWorker(res: ServerResponse, body: string): void {
  res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
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
      if (url === `/${SANDBOX_WORKER}`) {
        readWorker().then(
          (code) => sendSandboxWorker(res, code),
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
      this.emitFile({ type: 'asset', fileName: SANDBOX_WORKER, source: await worker });
    },
  };
}
