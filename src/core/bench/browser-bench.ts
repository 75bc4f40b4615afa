/**
 * The contract of the benchmark in the browser (`bench.html`), shared by its page
 * (src/app/bench/bench-page.ts), its worker (src/worker/bench-worker.ts) and `cv-lab bench
 * --browser` (src/cli/bench-browser.ts), which reads the page's `window.cvLabBench` when `done`.
 */
import type { BackendName } from '@cv-lab/runtime';
import type { BenchModelName, BenchResult } from './bench';

/**
 * `wasm-threads` is the WASM backend on tfjs's threaded build (packages/runtime/src/backend-wasm-threads.ts);
 * `wasm-parallel` is WASM with each step split across workers, as learner code trains in the page
 * (packages/runtime/src/data-parallel).
 */
export type BrowserBenchBackend = BackendName | 'wasm-threads' | 'wasm-parallel';

/** What the page asks one worker to measure. */
export interface BenchJob {
  backend: BrowserBenchBackend;
  models: BenchModelName[];
  steps: number;
  warmupSteps: number;
}

/** What a bench worker posts back. */
export type BenchMessage =
  | { type: 'result'; result: BenchResult & { variant: BrowserBenchBackend; threads: number } }
  | { type: 'error'; backend: BrowserBenchBackend; model?: BenchModelName; message: string }
  | { type: 'done' };

/** `window.cvLabBench`: the page's results so far. */
export interface BrowserBenchState {
  done: boolean;
  crossOriginIsolated: boolean;
  userAgent: string;
  results: Extract<BenchMessage, { type: 'result' }>['result'][];
  errors: { backend: string; model?: string; message: string }[];
}
