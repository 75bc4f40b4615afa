import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { exercisesPlugin } from './scripts/vite-plugin-exercises.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  // The lab worker's `virtual:cv-lab/grading` (and the page's `virtual:cv-lab/catalog`), as the
  // build writes them, so tests can drive src/worker and src/app modules that import them.
  plugins: [exercisesPlugin({ root })],
  // tsconfig.json's `paths`: the workspace packages (`@cv-lab/runtime`) from this checkout's sources.
  resolve: { tsconfigPaths: true },
  test: {
    // The app's tests, and each workspace package's own (packages/runtime/test).
    include: ['tests/unit/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
