/**
 * Serves the built app (`dist/`, from `npm run build`) with `vite preview` on a free port for the
 * browser tests, and stops it afterwards. The tests read the address with `inject('baseUrl')`.
 */
import fs from 'node:fs';
import type http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

let server: PreviewServer | null = null;

export async function setup(project: TestProject): Promise<void> {
  const root = path.resolve(import.meta.dirname, '../..');
  if (!fs.existsSync(path.join(root, 'dist/index.html'))) {
    throw new Error('dist/ is missing: run `npm run build` before the browser tests (`npm test` does).');
  }
  if (!fs.existsSync(path.join(root, 'dist/datasets/fashion-mnist/manifest.json'))) {
    throw new Error(
      'dist/datasets/fashion-mnist is missing: run `npm run setup` (prepares the dataset), then `npm run build`.',
    );
  }
  const port = await freePort();
  server = await preview({
    root,
    configFile: path.join(root, 'vite.config.ts'),
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port, strictPort: true, open: false },
  });
  project.provide('baseUrl', `http://127.0.0.1:${port}`);
}

export async function teardown(): Promise<void> {
  await new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.httpServer.close(() => resolve());
    (server.httpServer as http.Server).closeAllConnections?.();
  });
  server = null;
}
