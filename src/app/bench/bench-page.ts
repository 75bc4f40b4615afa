/**
 * `bench.html`: runs the training benchmark in this browser, one worker per backend, and shows a
 * table. `cv-lab bench --browser` opens it in Chromium and reads `window.cvLabBench` when `done`.
 *
 * Query: `?models=cnn,mobilenet&backends=webgpu,webgl,wasm,wasm-threads,wasm-parallel&steps=10&warmup=2`.
 */
import type {
  BenchMessage,
  BenchJob,
  BrowserBenchBackend,
  BrowserBenchState,
} from '../../core/bench/browser-bench';
import type { BenchModelName } from '../../core/bench/bench';

declare global {
  interface Window {
    cvLabBench: BrowserBenchState;
  }
}

/** A backend that has not answered in this long is stopped and reported (a hung GPU, a stuck thread pool). */
const BACKEND_TIMEOUT_MS = 10 * 60 * 1000;

const params = new URLSearchParams(location.search);
const list = (name: string, fallback: string) => (params.get(name) ?? fallback).split(',').filter(Boolean);
const models = list('models', 'cnn') as BenchModelName[];
const backends = list('backends', 'webgpu,webgl,wasm,wasm-threads,wasm-parallel') as BrowserBenchBackend[];
const steps = Number(params.get('steps') ?? 10);
const warmupSteps = Number(params.get('warmup') ?? 2);

const state: BrowserBenchState = {
  done: false,
  crossOriginIsolated: self.crossOriginIsolated,
  userAgent: navigator.userAgent,
  results: [],
  errors: [],
};
window.cvLabBench = state;

const output = document.getElementById('bench')!;

function render(status: string): void {
  const rows = state.results.map(
    (r) =>
      `<tr><td>${r.model}</td><td>${r.variant}</td><td>${r.threads}</td><td>${r.trainImagesPerSec.toFixed(1)}</td>` +
      `<td>${r.inferImagesPerSec.toFixed(1)}</td><td>${r.msPerStep.toFixed(1)}</td><td>${r.gflops.toFixed(2)}</td></tr>`,
  );
  output.textContent = '';
  const table = document.createElement('table');
  table.innerHTML =
    '<thead><tr><th>model</th><th>backend</th><th>threads</th><th>train img/s</th><th>infer img/s</th>' +
    `<th>ms/step</th><th>GFLOP/s</th></tr></thead><tbody>${rows.join('')}</tbody>`;
  const heading = document.createElement('p');
  heading.textContent = status;
  const errors = document.createElement('ul');
  for (const e of state.errors) {
    const item = document.createElement('li');
    item.textContent = `${e.backend}${e.model ? ` ${e.model}` : ''}: ${e.message}`;
    errors.append(item);
  }
  output.append(heading, table, errors);
}

function runBackend(backend: BrowserBenchBackend): Promise<void> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL('../../worker/bench-worker.ts', import.meta.url), { type: 'module' });
    const finish = () => {
      clearTimeout(timer);
      worker.terminate();
      resolve();
    };
    const timer = setTimeout(() => {
      state.errors.push({ backend, message: `no answer in ${BACKEND_TIMEOUT_MS / 60000} minutes: stopped` });
      finish();
    }, BACKEND_TIMEOUT_MS);
    worker.onerror = (event) => {
      // A failing thread pool reports the same error from every thread: keep one.
      const message = event.message || 'the worker failed';
      if (!state.errors.some((e) => e.backend === backend && e.message === message)) {
        state.errors.push({ backend, message });
      }
      finish();
    };
    worker.onmessage = (event: MessageEvent<BenchMessage>) => {
      const message = event.data;
      if (message.type === 'result') state.results.push(message.result);
      else if (message.type === 'error') state.errors.push(message);
      else finish();
      render(`Running ${backend}…`);
    };
    const job: BenchJob = { backend, models, steps, warmupSteps };
    worker.postMessage(job);
  });
}

async function main(): Promise<void> {
  for (const backend of backends) {
    render(`Running ${backend}…`);
    await runBackend(backend);
  }
  state.done = true;
  render(`Done (cross-origin isolated: ${state.crossOriginIsolated}).`);
}

void main();
