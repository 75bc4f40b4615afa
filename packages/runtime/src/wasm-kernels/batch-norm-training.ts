/**
 * Batch normalisation in training mode on WASM: two kernels per layer and step instead of some forty.
 *
 * tfjs layers normalise a training batch with `moments` (Mean, Sub, Square, Mean) and FusedBatchNorm;
 * the gradient then runs back through all of them: FusedBatchNorm's own gradient and the gradients
 * of the moments (broadcasts of `ones`, products, sums, negations, and the additions that merge three
 * paths into x), about 35 kernel calls, a dozen of them over the full activation. Here one kernel
 * computes the statistics and the normalised output (simd/kernels.as `batchNormStats`, one pass,
 * then `batchNormRows`), and one kernel the complete gradient, the paths through the mean and the
 * variance included:
 *
 *   xc = x - mean, r = 1 / sqrt(variance + eps), g = gamma, n = rows (N*H*W)
 *   dx     = dy * g*r + xc * (2*dvariance - g*r^3 * sum(dy*xc)) / n + (dmean - g*r * sum(dy)) / n
 *   dgamma = r * sum(dy*xc)      dbeta = sum(dy)
 *
 * where dmean and dvariance are gradients reaching the batch statistics from elsewhere (zeros in a
 * model: the layer uses them only for its moving averages). The sums take one pass
 * (`batchNormGradSums`), dx another (`batchNormTrainDx`). When a ReLU with a maximum (ReLU6) follows
 * and is the output's only consumer, its gradient is folded into these two passes
 * (`batchNormReluGradSums`, `batchNormReluTrainDx`, see deferReluGradient). The forward kernel also returns the new
 * moving averages (the float32 operations of tfjs's update: six more kernel calls per layer saved).
 *
 * The kernels are reached by patching BatchNormalization.call (see layer-call-patch): on 'wasm', in
 * training, float32, normalising over every axis but the last (the Keras default), with gamma and
 * beta. Anything else, and every other
 * backend, runs tfjs's own call. The gradient kernel has no gradient itself: a second derivative
 * through training-mode batch norm on 'wasm' is not supported.
 */
import {
  engine,
  getBackend,
  getGradient,
  registerGradient,
  tidy,
  zerosLike,
  type GradConfig,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { heapPointer, simdKernels } from '../simd/simd-kernels';
import { overrideLayerCall, singleInput } from './layer-call-patch';
import { WasmScratch, type WasmBackend } from './scratch';

export const BATCH_NORM_TRAIN = 'CvLabBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'CvLabBatchNormTrainGrad';

interface EpsilonAttrs extends NamedAttrMap {
  varianceEpsilon: number;
}

interface TrainAttrs extends EpsilonAttrs {
  momentum: number;
}

const floats = (backend: WasmBackend, info: TensorInfo) => backend.typedArrayFromHeap(info) as Float32Array;

function rowsAndChannels(x: TensorInfo): [number, number] {
  const channels = x.shape[x.shape.length - 1];
  return [x.shape.reduce((a, b) => a * b, 1) / channels, channels];
}

/**
 * Outputs [y, mean, variance, new moving mean, new moving variance]; the moving averages as tfjs's
 * BatchNormalization updates them, in float32: moving - (moving - statistic) * (1 - momentum).
 */
function batchNormTrain(args: {
  inputs: Record<'x' | 'scale' | 'offset' | 'movingMean' | 'movingVariance', TensorInfo>;
  backend: WasmBackend;
  attrs: TrainAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x, scale, offset, movingMean, movingVariance } = inputs;
  const [rows, channels] = rowsAndChannels(x);
  const y = backend.makeOutput(x.shape, 'float32');
  const mean = backend.makeOutput([channels], 'float32');
  const variance = backend.makeOutput([channels], 'float32');
  const newMovingMean = backend.makeOutput([channels], 'float32');
  const newMovingVariance = backend.makeOutput([channels], 'float32');
  const s = new WasmScratch(backend);
  try {
    const partial = s.empty([2 * channels]);
    const total = s.empty([4 * channels]);
    const k = s.empty([channels]);
    const kernels = simdKernels(backend);
    const ptr = (t: TensorInfo) => heapPointer(backend, t);
    kernels.batchNormStats(ptr(x), rows, channels, ptr(mean), ptr(variance), ptr(partial), ptr(total));
    const [kv, mv, vv, gv] = [k, mean, variance, scale].map((t) => floats(backend, t));
    const [oldMean, oldVariance, newMean, newVariance] = [
      movingMean,
      movingVariance,
      newMovingMean,
      newMovingVariance,
    ].map((t) => floats(backend, t));
    const decay = Math.fround(1 - attrs.momentum);
    const f = Math.fround;
    for (let c = 0; c < channels; c++) {
      kv[c] = gv[c] / Math.sqrt(vv[c] + attrs.varianceEpsilon);
      newMean[c] = oldMean[c] - f(f(oldMean[c] - mv[c]) * decay);
      newVariance[c] = oldVariance[c] - f(f(oldVariance[c] - vv[c]) * decay);
    }
    kernels.batchNormRows(ptr(x), ptr(mean), ptr(k), ptr(offset), ptr(y), rows, channels);
  } finally {
    s.dispose();
  }
  return [y, mean, variance, newMovingMean, newMovingVariance];
}

/**
 * Outputs [dx, dscale, doffset]. With `reluMax` set, dy is the gradient of a following ReLU's output
 * (see deferReluGradient) and the ReLU's mask is applied on the fly, from y recomputed as the forward
 * kernel computed it.
 */
function batchNormTrainGrad(args: {
  inputs: Record<'x' | 'dy' | 'mean' | 'variance' | 'scale' | 'offset' | 'dmean' | 'dvariance', TensorInfo>;
  backend: WasmBackend;
  attrs: EpsilonAttrs & { reluMax?: number };
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x, dy, mean, variance, scale, offset, dmean, dvariance } = inputs;
  const [rows, channels] = rowsAndChannels(x);
  const dx = backend.makeOutput(x.shape, 'float32');
  const dscale = backend.makeOutput([channels], 'float32');
  const doffset = backend.makeOutput([channels], 'float32');
  const s = new WasmScratch(backend);
  try {
    const sums = s.empty([2, channels]);
    const partial = s.empty([2 * channels]);
    const total = s.empty([4 * channels]);
    const factors = s.empty([3, channels]);
    const k = s.empty([channels]);
    const kernels = simdKernels(backend);
    const ptr = (t: TensorInfo) => heapPointer(backend, t);
    const [vv, gv, dm, dv, kv] = [variance, scale, dmean, dvariance, k].map((t) => floats(backend, t));
    const reluMax = attrs.reluMax;
    if (reluMax == null) {
      kernels.batchNormGradSums(
        ptr(x),
        ptr(dy),
        ptr(mean),
        rows,
        channels,
        ptr(sums),
        ptr(partial),
        ptr(total),
      );
    } else {
      // the same float32 k as the forward kernel, so that y and its mask come out identical
      for (let c = 0; c < channels; c++) kv[c] = gv[c] / Math.sqrt(vv[c] + attrs.varianceEpsilon);
      kernels.batchNormReluGradSums(
        ptr(x),
        ptr(dy),
        ptr(mean),
        ptr(k),
        ptr(offset),
        reluMax,
        rows,
        channels,
        ptr(sums),
        ptr(partial),
        ptr(total),
      );
    }
    const sumValues = floats(backend, sums);
    const [f, ds, db] = [factors, dscale, doffset].map((t) => floats(backend, t));
    for (let c = 0; c < channels; c++) {
      const sumDy = sumValues[c];
      const sumDyCentred = sumValues[channels + c];
      const r = 1 / Math.sqrt(vv[c] + attrs.varianceEpsilon);
      const gr = gv[c] * r;
      f[c] = gr;
      f[channels + c] = (2 * dv[c] - gr * r * r * sumDyCentred) / rows;
      f[2 * channels + c] = (dm[c] - gr * sumDy) / rows;
      ds[c] = r * sumDyCentred;
      db[c] = sumDy;
    }
    const base = ptr(factors);
    const [a, b, kc] = [base, base + 4 * channels, base + 8 * channels];
    if (reluMax == null) {
      kernels.batchNormTrainDx(ptr(x), ptr(dy), ptr(mean), a, b, kc, ptr(dx), rows, channels);
    } else {
      kernels.batchNormReluTrainDx(
        ptr(x),
        ptr(dy),
        ptr(mean),
        ptr(k),
        ptr(offset),
        reluMax,
        a,
        b,
        kc,
        ptr(dx),
        rows,
        channels,
      );
    }
  } finally {
    s.dispose();
  }
  return [dx, dscale, doffset];
}

export const batchNormTrainingConfigs: KernelConfig[] = [
  { kernelName: BATCH_NORM_TRAIN, backendName: 'wasm', kernelFunc: batchNormTrain as unknown as KernelFunc },
  {
    kernelName: BATCH_NORM_TRAIN_GRAD,
    backendName: 'wasm',
    kernelFunc: batchNormTrainGrad as unknown as KernelFunc,
  },
];

/** Gradients handed to a batch norm's gradient unmasked, with the maximum of the ReLU that follows. */
const deferredReluGradients = new WeakMap<Tensor, number>();

/**
 * Called by the gradient of a ReLU with a maximum (relu6.ts) on the input y it saved: when y is the
 * output of our training batch norm and that ReLU is y's only consumer on the tape, the ReLU's mask
 * can be applied inside batch norm's gradient kernels (one pass over the activation fewer, and one
 * kernel call). Then this returns dz itself (a shared-data clone, marked) as y's gradient, and batch
 * norm's gradient, finding the mark, masks it; otherwise undefined, and the ReLU computes its own.
 */
export function deferReluGradient(y: Tensor, dz: Tensor, maxValue: number): Tensor | undefined {
  const tape = (engine() as unknown as { state: { activeTape?: TapeNode[] | null } }).state.activeTape;
  if (tape == null || dz.dtype !== 'float32') return undefined;
  // the saved y is a clone of the batch norm's output: the same data
  const producer = tape.find(
    (node) => node.kernelName === BATCH_NORM_TRAIN && node.outputs[0]?.dataId === y.dataId,
  );
  const output = producer?.outputs[0];
  if (output == null) return undefined;
  // Tensors saved for gradients are clones recorded on the tape too; they feed no op, so the nodes
  // making them do not count as consumers.
  const savedIds = new Set<number>();
  for (const node of tape) for (const t of node.saved ?? []) savedIds.add(t.id);
  let consumers = 0;
  for (const node of tape) {
    if (node.outputs.every((t) => savedIds.has(t.id))) continue;
    for (const name in node.inputs) {
      if (node.inputs[name].id === output.id) consumers++;
    }
  }
  if (consumers !== 1) return undefined;
  const passthrough = dz.clone();
  deferredReluGradients.set(passthrough, maxValue);
  return passthrough;
}

/** The parts of tfjs-core's tape nodes read here (engine internals, stable through tfjs 4). */
interface TapeNode {
  kernelName: string;
  inputs: Record<string, Tensor>;
  outputs: Tensor[];
  saved?: Tensor[];
}

const batchNormTrainGradient: GradConfig = {
  kernelName: BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'scale', 'offset'],
  outputsToSave: [false, true, true, false, false],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dmean, dvariance] = dys as Tensor[];
    const [x, scale, offset, mean, variance] = saved;
    // one kernel for the three gradients, run here rather than in the closures (the engine disposes
    // what a closure makes but does not return)
    const reluMax = deferredReluGradients.get(dy);
    const [dx, dscale, doffset] = engine().runKernel(
      BATCH_NORM_TRAIN_GRAD,
      { x, dy, mean, variance, scale, offset, dmean, dvariance },
      reluMax === undefined ? attrs : { ...attrs, reluMax },
    ) as Tensor[];
    return {
      x: () => dx,
      scale: () => dscale,
      offset: () => doffset,
      // the moving averages are state, not parameters: tfjs does not differentiate through them
      movingMean: () => zerosLike(mean),
      movingVariance: () => zerosLike(variance),
    };
  },
};

/** The fields of tfjs-layers' BatchNormalization that its call reads. */
interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: { read(): Tensor };
  beta?: { read(): Tensor };
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

interface LayerVariable {
  read(): Tensor;
  write(value: Tensor): unknown;
}

function trainingBatchNorm(
  layerArg: unknown,
  inputs: Tensor | Tensor[],
  kwargs: Record<string, unknown>,
): Tensor | undefined {
  const layer = layerArg as BatchNormLayer;
  const x = singleInput(inputs);
  if (kwargs.training !== true || getBackend() !== 'wasm' || x == null) return undefined;
  const axis = layer.axis >= 0 ? layer.axis : layer.axis + x.rank;
  if (x.rank < 2 || axis !== x.rank - 1 || x.dtype !== 'float32' || x.size === 0) return undefined;
  if (layer.gamma == null || layer.beta == null) return undefined;
  const gamma = layer.gamma;
  const beta = layer.beta;
  return tidy(() => {
    const [y, , , newMovingMean, newMovingVariance] = engine().runKernel(
      BATCH_NORM_TRAIN,
      {
        x,
        scale: gamma.read(),
        offset: beta.read(),
        movingMean: layer.movingMean.read(),
        movingVariance: layer.movingVariance.read(),
      },
      { varianceEpsilon: layer.epsilon, momentum: layer.momentum },
    ) as Tensor[];
    layer.movingMean.write(newMovingMean);
    layer.movingVariance.write(newMovingVariance);
    return y;
  });
}

/** Registers the gradient and patches BatchNormalization (idempotent; retried until tfjs-layers is loaded). */
export function installWasmBatchNormTraining(): void {
  if (getGradient(BATCH_NORM_TRAIN) == null) registerGradient(batchNormTrainGradient);
  overrideLayerCall('BatchNormalization', trainingBatchNorm);
}
