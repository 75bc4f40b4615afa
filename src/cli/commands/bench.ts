/**
 * `cv-lab bench [--model cnn|mobilenet|mobilenet-v2|all] [--backend wasm,wasm-threads,cpu] [--steps N] [--json] [--torch]`:
 * trains each model for a fixed number of steps after a warm-up on each backend and prints training
 * and inference images/s, ms/step, GFLOP/s and the share of the backend's matmul peak. Where
 * /usr/bin/python3 can import torch, the same models also run in PyTorch on one thread
 * (scripts/bench_torch.py) in the same run, and the ratio tfjs / torch is printed, by wall-clock
 * images/s and by the best CPU time of one step (steadier on a shared, busy machine).
 * With --json, one JSON object per line (per model and backend, torch included).
 * `wasm-threads` is tfjs's threaded WASM build with one thread per core (its CPU time per step counts
 * every thread, so compare it by wall clock).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { BENCH_MODELS, benchModel, type BenchModelName, type BenchResult } from '../../core/bench/bench';
import { CliError } from '../cli-error';
import { runBrowserBench } from '../bench-browser';
import { wasmBackendThreads } from '@cv-lab/runtime/kernels';
import { initNodeBackend, releaseNodeWasmThreads, type NodeBackendName } from '@cv-lab/runtime/node';
import { installDataParallelTraining } from '@cv-lab/runtime/data-parallel';
import { nodeDataParallelHelpers, startNodeGradientHelper } from '../data-parallel/node-helpers';

/**
 * What `--backend` takes: the Node backends, WASM on tfjs's threaded build (one thread per core),
 * and WASM with each step split across worker threads (`wasm-parallel`, one per core: the way the
 * page's sandbox uses every core, packages/runtime/src/data-parallel).
 */
type NodeBenchBackend = NodeBackendName | 'wasm-threads' | 'wasm-parallel';
const NODE_BENCH_BACKENDS: NodeBenchBackend[] = ['wasm', 'wasm-threads', 'wasm-parallel', 'cpu'];
import { positiveWholeNumber } from '../options';

interface BenchCliOptions {
  model: string;
  backend: string;
  steps?: string;
  warmup?: string;
  batch: string;
  json?: boolean;
  torch?: boolean;
  profile?: boolean;
  browser?: string | boolean;
}

interface TorchResult {
  model: string;
  backend: 'torch';
  trainImagesPerSec: number;
  inferImagesPerSec: number;
  msPerStep: number;
  cpuMsPerStep?: number;
}

const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPT = fileURLToPath(new URL('../../../scripts/bench_torch.py', import.meta.url));

/**
 * The CPU backend trains the CNN at a few images a second: fewer steps keep the run short. The
 * split's helpers warm up over their first steps (their JIT), so `wasm-parallel` warms up longer.
 */
function defaultSteps(backend: string): { steps: number; warmup: number } {
  if (backend === 'cpu') return { steps: 2, warmup: 1 };
  return backend === 'wasm-parallel' ? { steps: 40, warmup: 10 } : { steps: 20, warmup: 3 };
}

function torchAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function runTorch(model: BenchModelName, batch: number, steps: number, warmup: number): TorchResult {
  const run = spawnSync(
    PYTHON,
    [
      TORCH_SCRIPT,
      '--model',
      model,
      '--batch',
      String(batch),
      '--steps',
      String(steps),
      '--warmup',
      String(warmup),
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) {
    throw new CliError(`PyTorch bench failed: ${run.stderr.trim().split('\n').pop() ?? 'no output'}`);
  }
  return JSON.parse(run.stdout.trim().split('\n').pop() as string) as TorchResult;
}

const fmt = (value: number, digits = 1) => value.toFixed(digits);

/** Speed relative to torch by the best CPU time of a step (steadier than wall time on a busy machine). */
function cpuRatio(r: BenchResult, torch: TorchResult | undefined): string {
  if (r.cpuMsPerStep === undefined || torch?.cpuMsPerStep === undefined) return '-';
  return `${fmt(torch.cpuMsPerStep / r.cpuMsPerStep, 2)}x`;
}

/** CPU time of this process in ms (user + system): what `benchModel` reports per step. */
function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function printTable(results: BenchResult[], torch: TorchResult | undefined): void {
  const header = [
    'backend',
    'train img/s',
    'infer img/s',
    'ms/step',
    'cpu ms/step',
    'GFLOP/s',
    'matmul peak',
    'of peak',
    'vs torch',
    'cpu vs torch',
  ];
  const rows = results.map((r) => [
    r.backend,
    fmt(r.trainImagesPerSec),
    fmt(r.inferImagesPerSec),
    fmt(r.msPerStep),
    r.cpuMsPerStep === undefined ? '-' : fmt(r.cpuMsPerStep),
    fmt(r.gflops, 2),
    fmt(r.matmulPeakGflops, 1),
    `${fmt(100 * r.shareOfMatmulPeak, 0)}%`,
    torch ? `${fmt(r.trainImagesPerSec / torch.trainImagesPerSec, 2)}x` : '-',
    cpuRatio(r, torch),
  ]);
  if (torch) {
    rows.push([
      'torch (1 thread)',
      fmt(torch.trainImagesPerSec),
      fmt(torch.inferImagesPerSec),
      fmt(torch.msPerStep),
      torch.cpuMsPerStep === undefined ? '-' : fmt(torch.cpuMsPerStep),
      '-',
      '-',
      '-',
      '1.00x',
      '1.00x',
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const model = results[0]?.model ?? torch?.model;
  const perImage = results[0] ? `, ${fmt(results[0].flopsPerImage / 1e6, 1)} MFLOP per training image` : '';
  process.stdout.write(`\n${model} (batch ${results[0]?.batchSize ?? ''}${perImage})\n`);
  process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
  for (const r of results) {
    for (const kind of r.layerKinds ?? []) {
      process.stdout.write(
        `  ${r.backend} ${kind.kind}: ${fmt(kind.msPerStep)} ms/step, ${fmt(kind.gflops, 2)} GFLOP/s, ` +
          `${fmt(100 * kind.shareOfMatmulPeak, 0)}% of matmul peak\n`,
      );
    }
    if (r.kernels) {
      const top = r.kernels.slice(0, 8).map((k) => `${k.kernelName} ${fmt(k.msPerStep)}`);
      process.stdout.write(`  ${r.backend} top kernels (ms/step): ${top.join(', ')}\n`);
    }
  }
}

export function registerBenchCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('bench')
    .description('measure training and inference speed per model and backend (and PyTorch, if installed)')
    .option('-m, --model <name>', `${BENCH_MODELS.join(', ')} or all`, 'cnn')
    .option('-b, --backend <names>', 'comma-separated: wasm, wasm-threads, wasm-parallel, cpu', 'wasm')
    .option('--steps <n>', 'measured training steps (default 20; 2 on cpu)')
    .option('--warmup <n>', 'warm-up steps before measuring (default 3; 1 on cpu)')
    .option('--batch <n>', 'batch size', '64')
    .option('--json', 'one JSON object per line instead of tables')
    .option('--torch', 'require the PyTorch comparison (it runs anyway when torch is importable)')
    .option('--no-torch', 'skip the PyTorch comparison')
    .option('--profile', 'time every kernel and report the share of matmul peak per layer type')
    .option(
      '--browser [backends]',
      'also run in Chromium (needs `npm run build`): webgpu, webgl, wasm, wasm-threads, wasm-parallel',
    )
    .action(async (options: BenchCliOptions) => {
      const models: BenchModelName[] =
        options.model === 'all' ? [...BENCH_MODELS] : [options.model as BenchModelName];
      if (!models.every((m) => BENCH_MODELS.includes(m))) {
        throw new CliError(`unknown model ${options.model}: use ${BENCH_MODELS.join(', ')} or all`);
      }
      const backends = options.backend.split(',').map((b) => b.trim()) as NodeBenchBackend[];
      for (const backend of backends) {
        if (!NODE_BENCH_BACKENDS.includes(backend)) {
          throw new CliError(
            `backend ${backend} is not available in Node: use wasm, wasm-threads, wasm-parallel or cpu (browsers: see docs/benchmarks.md)`,
          );
        }
      }
      const batch = positiveWholeNumber('--batch', options.batch) as number;
      const withTorch = options.torch !== false && torchAvailable();
      if (options.torch === true && !withTorch) {
        throw new CliError(`--torch: ${PYTHON} cannot import torch`);
      }
      try {
        for (const model of models) {
          const results: BenchResult[] = [];
          for (const backend of backends) {
            const defaults = defaultSteps(backend);
            const steps = positiveWholeNumber('--steps', options.steps) ?? defaults.steps;
            const warmupSteps = positiveWholeNumber('--warmup', options.warmup) ?? defaults.warmup;
            await initNodeBackend(backend === 'wasm-parallel' ? 'wasm' : backend);
            const workers = nodeDataParallelHelpers() + 1;
            const split =
              backend === 'wasm-parallel'
                ? installDataParallelTraining(tf, {
                    helpers: workers - 1,
                    startHelper: () => startNodeGradientHelper(),
                  })
                : null;
            let measured: BenchResult;
            try {
              await split?.ready();
              measured = await benchModel(tf, {
                model,
                batchSize: batch,
                warmupSteps,
                steps,
                profile: options.profile,
                cpuTimeMs: processCpuMs,
              });
            } finally {
              split?.uninstall();
            }
            // The threaded build and the split are the same 'wasm' backend to tfjs: the row says
            // which, and how many threads or workers.
            const result =
              backend === 'wasm-threads'
                ? { ...measured, backend: `wasm-threads (${wasmBackendThreads(tf)})` }
                : backend === 'wasm-parallel'
                  ? { ...measured, backend: `wasm-parallel (${workers})` }
                  : measured;
            results.push(result);
            if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
          }
          let torch: TorchResult | undefined;
          if (withTorch) {
            const steps = positiveWholeNumber('--steps', options.steps) ?? 20;
            torch = runTorch(model, batch, steps, positiveWholeNumber('--warmup', options.warmup) ?? 3);
            if (options.json) {
              const ratios = Object.fromEntries(
                results.map((r) => [r.backend, r.trainImagesPerSec / torch!.trainImagesPerSec]),
              );
              const cpuRatios = Object.fromEntries(
                results.map((r) => [r.backend, (torch!.cpuMsPerStep ?? NaN) / (r.cpuMsPerStep ?? NaN)]),
              );
              process.stdout.write(
                `${JSON.stringify({ ...torch, tfjsOverTorch: ratios, tfjsOverTorchByCpuTime: cpuRatios })}\n`,
              );
            }
          }
          if (!options.json) printTable(results, torch);
        }
      } finally {
        // Worker threads of the threaded build would keep the process alive.
        releaseNodeWasmThreads();
      }
      if (options.browser) await benchInBrowser(models, options);
      setExitCode(0);
    });
}

/**
 * The same models in Chromium, one worker per backend (`bench.html`). Lines are labelled
 * `chromium-<backend>`; a backend that cannot run says why instead of a figure.
 */
async function benchInBrowser(models: BenchModelName[], options: BenchCliOptions): Promise<void> {
  const backends =
    typeof options.browser === 'string' ? options.browser.split(',').map((b) => b.trim()) : undefined;
  const state = await runBrowserBench({
    models,
    backends: backends ?? ['webgpu', 'webgl', 'wasm', 'wasm-threads', 'wasm-parallel'],
    steps: positiveWholeNumber('--steps', options.steps) ?? 10,
    warmupSteps: positiveWholeNumber('--warmup', options.warmup) ?? 2,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const results = state.results.map((r) => ({
    ...r,
    backend: `chromium-${r.variant}${r.variant === 'wasm-threads' || r.variant === 'wasm-parallel' ? ` (${r.threads})` : ''}`,
  }));
  if (options.json) {
    for (const r of results)
      process.stdout.write(`${JSON.stringify({ ...r, userAgent: state.userAgent })}\n`);
    for (const e of state.errors)
      process.stdout.write(`${JSON.stringify({ ...e, backend: `chromium-${e.backend}` })}\n`);
    return;
  }
  for (const model of models)
    printTable(
      results.filter((r) => r.model === model),
      undefined,
    );
  for (const e of state.errors)
    process.stdout.write(`chromium-${e.backend}${e.model ? ` ${e.model}` : ''}: ${e.message}\n`);
}
