import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { labTypingsPlugin } from './scripts/vite-plugin-lab-typings.ts';

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
  plugins: [react(), labTypingsPlugin({ root })],
  resolve: {
    alias: { 'cv-lab': fileURLToPath(new URL('./src/core/sandbox/lab.ts', import.meta.url)) },
  },
  worker: { format: 'es' },
  server: { port: 5173, headers: isolationHeaders },
  preview: { port: 5173, headers: isolationHeaders },
  build: {
    target: 'es2022',
    // Monaco, tfjs and the bundled typings are large by nature; they load lazily where they can.
    chunkSizeWarningLimit: 6000,
  },
});
