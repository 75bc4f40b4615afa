/**
 * The training benchmark: trains a model on random data of the right shape for a fixed number of
 * steps after a warm-up, on whatever backend is current, and reports images per second for training
 * and inference, milliseconds per step and achieved GFLOP/s (from the model's FLOP count), next to a
 * 512x512 matmul probe that measures what the backend can reach at best.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';
import { buildMobileNetV1, buildMobileNetV2 } from '../models/mobilenet';
import { buildReferenceCnn } from '../models/reference-cnn';
import { countModelFlops, type LayerKind } from './flops';
import { profileKernels, type KernelTime } from '@cv-lab/runtime/kernels';

/** The benchmark's models; `all` on the command line means every one, in this order. */
export const BENCH_MODELS = ['cnn', 'mobilenet', 'mobilenet-v2'] as const;
export type BenchModelName = (typeof BENCH_MODELS)[number];

export interface BenchOptions {
  model: BenchModelName;
  batchSize?: number;
  warmupSteps?: number;
  steps?: number;
  /** Also time each kernel over the measured steps (slightly slower) and report layer-type shares. */
  profile?: boolean;
  /**
   * This process's CPU time in ms (Node: from process.cpuUsage); when given, the best CPU time of
   * one measured step is reported too, which a busy shared machine disturbs far less than the wall
   * clock (waiting for a core is not counted).
   */
  cpuTimeMs?: () => number;
}

export interface LayerKindShare {
  kind: LayerKind;
  msPerStep: number;
  /** Best CPU time of one measured training step (only with `cpuTimeMs`). */
  cpuMsPerStep?: number;
  gflops: number;
  shareOfMatmulPeak: number;
}

export interface BenchResult {
  model: BenchModelName;
  backend: string;
  batchSize: number;
  steps: number;
  trainImagesPerSec: number;
  inferImagesPerSec: number;
  msPerStep: number;
  /** Best CPU time of one measured training step (only with `cpuTimeMs`). */
  cpuMsPerStep?: number;
  gflops: number;
  /** Training FLOPs per image (forward, weight and input gradients of conv and dense layers). */
  flopsPerImage: number;
  forwardFlopsPerImage: number;
  inferGflops: number;
  matmulPeakGflops: number;
  shareOfMatmulPeak: number;
  kernels?: { kernelName: string; msPerStep: number; calls: number }[];
  layerKinds?: LayerKindShare[];
}

/**
 * The benchmark's models: the reference CNN on Fashion-MNIST, MobileNet v1 0.25 and MobileNet v2
 * 0.35 (its narrowest Keras width) at 96x96 RGB.
 */
export function buildBenchModel(tf: TF, model: BenchModelName): LayersModel {
  if (model === 'cnn') return buildReferenceCnn(tf, { seed: 1 });
  if (model === 'mobilenet')
    return buildMobileNetV1(tf, { alpha: 0.25, inputShape: [96, 96, 3], classes: 10 });
  return buildMobileNetV2(tf, { alpha: 0.35, inputShape: [96, 96, 3], classes: 10 });
}

const KERNEL_KINDS: Record<string, LayerKind> = {
  Conv2D: 'conv2d',
  FusedConv2D: 'conv2d',
  Conv2DBackpropFilter: 'conv2d',
  Conv2DBackpropInput: 'conv2d',
  DepthwiseConv2dNative: 'depthwise',
  FusedDepthwiseConv2D: 'depthwise',
  DepthwiseConv2dNativeBackpropFilter: 'depthwise',
  DepthwiseConv2dNativeBackpropInput: 'depthwise',
  _FusedMatMul: 'dense',
  BatchMatMul: 'dense',
};

/** GFLOP/s of a 512x512 float32 matmul on the current backend: the best of a few runs. */
export async function matmulPeakGflops(tf: TF, size = 512, runs = 8): Promise<number> {
  const a = tf.randomUniform([size, size]);
  const b = tf.randomUniform([size, size]);
  let best = Infinity;
  for (let i = 0; i < runs + 1; i++) {
    const start = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    const ms = performance.now() - start;
    c.dispose();
    if (i > 0) best = Math.min(best, ms);
  }
  tf.dispose([a, b]);
  return (2 * size ** 3) / (best * 1e6);
}

export async function benchModel(tf: TF, options: BenchOptions): Promise<BenchResult> {
  const {
    model: modelName,
    batchSize = 64,
    warmupSteps = 3,
    steps = 20,
    profile = false,
    cpuTimeMs,
  } = options;
  const model = buildBenchModel(tf, modelName);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const flops = countModelFlops(model);
  const inputShape = (model.inputs[0].shape as (number | null)[]).slice(1) as number[];
  const classes = (model.outputs[0].shape as (number | null)[])[1] as number;
  const xs = tf.randomUniform([batchSize, ...inputShape], 0, 1, 'float32', 42);
  const ys = tf.tidy(() =>
    tf.oneHot(tf.randomUniform([batchSize], 0, classes, 'int32', 43) as Tensor, classes).toFloat(),
  );
  try {
    for (let i = 0; i < warmupSteps; i++) {
      await model.trainOnBatch(xs, ys);
    }
    let bestCpuMs = Infinity;
    const runSteps = async () => {
      for (let i = 0; i < steps; i++) {
        const cpuStart = cpuTimeMs?.() ?? 0;
        await model.trainOnBatch(xs, ys);
        if (cpuTimeMs) bestCpuMs = Math.min(bestCpuMs, cpuTimeMs() - cpuStart);
      }
    };
    const start = performance.now();
    await runSteps();
    const msPerStep = (performance.now() - start) / steps;

    const inferStart = performance.now();
    for (let i = 0; i < steps; i++) {
      const y = model.predict(xs) as Tensor;
      await y.data();
      y.dispose();
    }
    const msPerInference = (performance.now() - inferStart) / steps;

    const matmulPeak = await matmulPeakGflops(tf);
    const trainImagesPerSec = (1000 * batchSize) / msPerStep;
    const gflops = (flops.trainingPerImage * trainImagesPerSec) / 1e9;
    const result: BenchResult = {
      model: modelName,
      backend: tf.getBackend(),
      batchSize,
      steps,
      trainImagesPerSec,
      inferImagesPerSec: (1000 * batchSize) / msPerInference,
      msPerStep,
      ...(cpuTimeMs ? { cpuMsPerStep: bestCpuMs } : {}),
      gflops,
      flopsPerImage: flops.trainingPerImage,
      forwardFlopsPerImage: flops.forwardPerImage,
      inferGflops: (flops.forwardPerImage * batchSize) / (msPerInference * 1e6),
      matmulPeakGflops: matmulPeak,
      shareOfMatmulPeak: gflops / matmulPeak,
    };
    if (profile) {
      const times = await profileKernels(tf.getBackend(), runSteps);
      result.kernels = times.map((t: KernelTime) => ({
        kernelName: t.kernelName,
        msPerStep: t.ms / steps,
        calls: t.calls / steps,
      }));
      result.layerKinds = layerKindShares(times, flops.byKind, batchSize, steps, matmulPeak);
    }
    return result;
  } finally {
    tf.dispose([xs, ys]);
    model.optimizer.dispose();
    model.dispose();
  }
}

function layerKindShares(
  times: KernelTime[],
  byKind: ReturnType<typeof countModelFlops>['byKind'],
  batchSize: number,
  steps: number,
  matmulPeak: number,
): LayerKindShare[] {
  const shares: LayerKindShare[] = [];
  for (const kind of Object.keys(byKind) as LayerKind[]) {
    const ms = times.filter((t) => KERNEL_KINDS[t.kernelName] === kind).reduce((s, t) => s + t.ms, 0) / steps;
    if (byKind[kind].training === 0 || ms === 0) continue;
    const gflops = (byKind[kind].training * batchSize) / (ms * 1e6);
    shares.push({ kind, msPerStep: ms, gflops, shareOfMatmulPeak: gflops / matmulPeak });
  }
  return shares;
}
