import { defineConfig } from 'vitest/config';

/**
 * Browser tests: Chromium (Debian's, driven by playwright-core) against the built app served by
 * `vite preview`. One file at a time: training in the page is heavy and the CI machine is small.
 */
export default defineConfig({
  // tsconfig.json's `paths`: the workspace packages (`@cv-lab/runtime`) from this checkout's sources.
  resolve: { tsconfigPaths: true },
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    globalSetup: ['tests/e2e/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
