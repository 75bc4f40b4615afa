import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { cspPlugin } from './scripts/vite-plugin-csp.ts';
import { chunkFileNames, exercisesPlugin } from './scripts/vite-plugin-exercises.ts';
import { labTypingsPlugin } from './scripts/vite-plugin-lab-typings.ts';
import { offlinePlugin } from './scripts/vite-plugin-offline.ts';
import { sandboxPlugin } from './scripts/vite-plugin-sandbox.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Cross-origin isolation (COOP + COEP) gives the page `SharedArrayBuffer`, which tfjs's
 * multithreaded WASM backend needs. Everything the app loads is same-origin, so `require-corp`
 * blocks nothing of ours.
 */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // offlinePlugin: the service worker (`/sw.js`) and `/datasets/index.json`; see the plugin's header.
  // sandboxPlugin: /sandbox.html and /sandbox-worker.js, where learner code runs (before offlinePlugin,
  // which precaches what the build emits); cspPlugin: the Content-Security-Policy header on the app's
  // page and workers (the sandbox frame carries its own).
  plugins: [
    react(),
    exercisesPlugin({ root }),
    labTypingsPlugin({ root }),
    sandboxPlugin({ root }),
    offlinePlugin({ root }),
    cspPlugin({ root }),
  ],
  resolve: {
    alias: { 'cv-lab': fileURLToPath(new URL('./src/core/sandbox/lab.ts', import.meta.url)) },
    // tsconfig.json's `paths`: the workspace packages (`@cv-lab/runtime`) from this checkout's sources.
    tsconfigPaths: true,
  },
  // exercisesPlugin: the catalog's cards for the page, grading keys for the lab worker, each
  // exercise's hints, answers and references in chunks of their own (docs/architecture.md).
  worker: {
    format: 'es',
    plugins: () => [exercisesPlugin({ root })],
    rollupOptions: { output: { chunkFileNames } },
  },
  server: { port: 5173, headers: isolationHeaders },
  preview: { port: 5173, headers: isolationHeaders },
  build: {
    target: 'es2022',
    // bench.html: the training benchmark in the browser (`cv-lab bench --browser`).
    rollupOptions: {
      input: { main: `${root}index.html`, bench: `${root}bench.html` },
      output: { chunkFileNames },
    },
    // Monaco, tfjs and the bundled typings are large by nature; they load lazily where they can.
    chunkSizeWarningLimit: 6000,
  },
});
