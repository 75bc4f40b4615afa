/**
 * Batch norm's gradient on WASM from two per-channel sums. tfjs's FusedBatchNorm gradient spends
 * about fifteen full-size element-wise ops (centring, tiling, products, sums) per layer; with the
 * sums of dy and of dy * (x - mean) per channel (one pass, simd/kernels.as `batchNormGradSums`)
 * every other term is a [C] vector, and dx is dy times a per-channel factor (one more pass):
 *
 *   r = 1 / sqrt(variance + eps), g = scale (or 1)
 *   dx = dy * g * r          dmean = -g * r * sum(dy)        dvariance = -g * r^3 / 2 * sum(dy * xc)
 *   dscale = r * sum(dy * xc)   doffset = sum(dy)
 *
 * As for the activation gradients, the override hands over to tfjs's own gradient on every other
 * backend and for shapes it does not cover (statistics of rank other than 1, non-float32 data).
 * The sums kernel has no gradient of its own: a second derivative through batch norm on 'wasm' is
 * not supported.
 */
import {
  engine,
  FusedBatchNorm,
  getBackend,
  getGradient,
  registerGradient,
  scalar,
  type GradConfig,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { heapPointer, simdKernels } from '../simd/simd-kernels';
import { withScratch, type WasmBackend } from './scratch';

export const BATCH_NORM_GRAD_SUMS = 'CvLabBatchNormGradSums';

function batchNormGradSums(args: {
  inputs: { x: TensorInfo; dy: TensorInfo; mean: TensorInfo };
  backend: WasmBackend;
}): TensorInfo {
  const { inputs, backend } = args;
  const { x, dy, mean } = inputs;
  const channels = x.shape[x.shape.length - 1];
  const rows = x.shape.reduce((a, b) => a * b, 1) / channels;
  return withScratch(backend, (s) => {
    const out = s.empty([2, channels]);
    const partial = s.empty([2 * channels]);
    const total = s.empty([4 * channels]);
    const ptr = (t: TensorInfo) => heapPointer(backend, t);
    simdKernels(backend).batchNormGradSums(
      ptr(x),
      ptr(dy),
      ptr(mean),
      rows,
      channels,
      ptr(out),
      ptr(partial),
      ptr(total),
    );
    return out;
  });
}

export const batchNormGradSumsConfig: KernelConfig = {
  kernelName: BATCH_NORM_GRAD_SUMS,
  backendName: 'wasm',
  kernelFunc: batchNormGradSums as unknown as KernelFunc,
};

const overrides = new WeakSet<GradConfig>();

function covered(x: Tensor, mean: Tensor, scale: Tensor | undefined, dy: Tensor): boolean {
  const channels = x.shape[x.shape.length - 1];
  return (
    getBackend() === 'wasm' &&
    x.rank >= 2 &&
    mean.rank === 1 &&
    mean.shape[0] === channels &&
    (scale == null || (scale.rank === 1 && scale.shape[0] === channels)) &&
    [x, mean, dy, ...(scale ? [scale] : [])].every((t) => t.dtype === 'float32')
  );
}

/** Overrides FusedBatchNorm's gradient on 'wasm' (idempotent). */
export function installWasmBatchNormGradient(): void {
  const original = getGradient(FusedBatchNorm);
  if (original == null || overrides.has(original)) return;
  const config: GradConfig = {
    ...original,
    gradFunc: (dyArg, saved, attrs) => {
      const dy = dyArg as Tensor;
      const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
      if (!covered(x, mean, scale, dy)) return original.gradFunc(dyArg, saved, attrs);
      const { varianceEpsilon } = attrs as NamedAttrMap & { varianceEpsilon: number };
      const channels = mean.shape[0];
      // computed here, not in the closures: the engine disposes what a closure makes but does not return
      const both = engine().runKernel(BATCH_NORM_GRAD_SUMS, { x, dy, mean }) as Tensor;
      const sumDy = both.slice([0, 0], [1, channels]).reshape([channels]);
      const sumDyCentred = both.slice([1, 0], [1, channels]).reshape([channels]);
      const r = variance.add(scalar(varianceEpsilon)).rsqrt();
      const g = scale ?? scalar(1);
      return {
        x: () => dy.mul(g.mul(r)),
        mean: () => r.mul(g).mul(scalar(-1)).mul(sumDy),
        variance: () => r.mul(r).mul(r).mul(scalar(-0.5)).mul(g).mul(sumDyCentred),
        scale: () => r.mul(sumDyCentred),
        offset: () => sumDy.clone(),
      };
    },
  };
  overrides.add(config);
  registerGradient(config);
}
