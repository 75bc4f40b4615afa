/**
 * Does tfjs's threaded WASM build work in parallel on this machine, and can this machine run two of
 * our threads side by side at all? A diagnostic for docs/benchmarks.md, "WASM threads":
 *
 *   npx tsx --tsconfig tsconfig.json scripts/wasm-threads-probe.ts [--repeat 3]
 *
 * For each of 'wasm' (one thread) and 'wasm-threads' (one per core) it prints a 1024x1024 matmul's
 * GFLOP/s and a 64x28x28x32 -> 64 3x3 conv's time, each with the process's CPU time over wall time
 * and (Linux) the CPU time of the main thread against the other threads: work done by the pool's
 * pthread workers shows there. Before and after, a control without tfjs: the same JavaScript loop on
 * one thread, then on two (this thread and a worker_threads worker) at once. Its speed-up says how
 * much of a second core the machine gave this process at that moment: near 2 on two free cores,
 * near 1 when the cores are taken (or the host runs this VM's two vCPUs on one), in which case no
 * thread pool can be faster, whatever tfjs does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { wasmBackendThreads } from '@cv-lab/runtime/kernels';
import { initNodeBackend, releaseNodeWasmThreads } from '@cv-lab/runtime/node';

const SPIN_ITERATIONS = 300_000_000;
const REPEATS = 20;

/** A loop the JIT cannot remove: the control's unit of work. */
const spinSource = `function spin(n) { let x = 0; for (let i = 0; i < n; i++) x = (x + i * 7) % 1000003; return x; }`;
const spin = new Function(`${spinSource}; return spin;`)() as (n: number) => number;

/** CPU ticks (1/100 s) per thread of this process: main thread and the rest (Linux only). */
function threadTicks(): { main: number; others: number } | null {
  try {
    let main = 0;
    let others = 0;
    for (const task of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      if (Number(task) === process.pid) main += ticks;
      else others += ticks;
    }
    return { main, others };
  } catch {
    return null;
  }
}

interface Measured {
  wallMs: number;
  cpuPerWall: number;
  threads: string;
}

function measure(work: () => void): Measured {
  const ticks = threadTicks();
  const usage = process.cpuUsage();
  const start = performance.now();
  work();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(usage);
  const after = threadTicks();
  const threads =
    ticks && after
      ? `main thread ${(after.main - ticks.main) * 10} ms, other threads ${(after.others - ticks.others) * 10} ms`
      : 'per-thread CPU n/a';
  return { wallMs, cpuPerWall: (used.user + used.system) / 1000 / wallMs, threads };
}

/** The control: the speed-up of the same loop on two threads over one, without tfjs. */
async function twoThreadControl(): Promise<string> {
  const one = measure(() => spin(SPIN_ITERATIONS));
  const worker = new Worker(
    `${spinSource}; require('node:worker_threads').parentPort.on('message', (n) => { spin(n); process.exit(0); });`,
    {
      eval: true,
    },
  );
  await new Promise((resolve) => worker.once('online', resolve));
  const done = new Promise((resolve) => worker.once('exit', resolve));
  const start = performance.now();
  const usage = process.cpuUsage();
  worker.postMessage(SPIN_ITERATIONS);
  spin(SPIN_ITERATIONS);
  await done;
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(usage);
  const speedUp = (2 * one.wallMs) / wallMs;
  return `control (JS loop, no tfjs): two threads ${speedUp.toFixed(2)}x one, cpu/wall ${((used.user + used.system) / 1000 / wallMs).toFixed(2)}`;
}

function report(label: string, m: Measured, figure: string): void {
  console.log(`  ${label}: ${figure}, cpu/wall ${m.cpuPerWall.toFixed(2)} (${m.threads})`);
}

async function probe(backend: 'wasm' | 'wasm-threads'): Promise<void> {
  await initNodeBackend(backend);
  const module = (tf.backend() as unknown as { wasm: { PThread?: { runningWorkers: unknown[] } } }).wasm;
  const running = module.PThread ? `, pthread workers running ${module.PThread.runningWorkers.length}` : '';
  console.log(`${backend}: pool threads ${wasmBackendThreads(tf)}${running}`);
  const a = tf.randomNormal([1024, 1024]);
  const b = tf.randomNormal([1024, 1024]);
  const x = tf.randomNormal([64, 28, 28, 32]) as tf.Tensor4D;
  const filter = tf.randomNormal([3, 3, 32, 64]) as tf.Tensor4D;
  const run = (op: () => tf.Tensor, times: number) => {
    for (let i = 0; i < times; i++) {
      const result = op();
      result.dataSync();
      result.dispose();
    }
  };
  const matMul = () => tf.matMul(a, b);
  const conv = () => tf.conv2d(x, filter, 1, 'same');
  run(matMul, 3);
  run(conv, 3);
  const m = measure(() => run(matMul, REPEATS));
  report('matmul 1024', m, `${((REPEATS * 2 * 1024 ** 3) / m.wallMs / 1e6).toFixed(1)} GFLOP/s`);
  const c = measure(() => run(conv, REPEATS));
  report('conv 3x3 32->64, 64x28x28', c, `${(c.wallMs / REPEATS).toFixed(1)} ms`);
  tf.dispose([a, b, x, filter]);
}

const repeatAt = process.argv.indexOf('--repeat');
const rounds = repeatAt > 0 ? Math.max(1, Number(process.argv[repeatAt + 1]) || 1) : 1;
for (let round = 0; round < rounds; round++) {
  console.log(await twoThreadControl());
  await probe('wasm');
  await probe('wasm-threads');
  console.log(await twoThreadControl());
}
releaseNodeWasmThreads();
process.exit(0);
