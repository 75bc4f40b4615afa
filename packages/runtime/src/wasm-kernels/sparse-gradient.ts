/**
 * When to compute a convolution's gradients from only the non-zero values of its output gradient.
 * Behind ReLU and max pooling most of dy is zero (2x2 pooling keeps at most one value in four and
 * ReLU drops more): then visiting the non-zeros (simd/kernels.as `sparseConv*`) does a fraction of
 * the multiply-adds of a dense matmul. It does them at a lower rate (each is a read-modify-write of
 * a short row), hence the threshold: measured on the reference CNN, the sparse kernels win clearly
 * below it. Skipping zeros changes no sum (0 * w adds nothing for finite weights).
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { heapPointer, simdKernels } from '../simd/simd-kernels';
import type { WasmBackend } from './scratch';

/** Largest share of non-zero values in dy for which the sparse kernels are used. */
export const SPARSE_DENSITY_LIMIT = 0.3;
/**
 * Fewest input channels for which they are used: each non-zero costs a loop over the filter taps
 * whose body is a vector update of Cin values; with a few channels that overhead dominates (the
 * CNN's first layer, Cin = 1, ran 4x slower sparse than dense).
 */
export const SPARSE_MIN_IN_CHANNELS = 8;

/**
 * Whether dy is sparse, by data (a tensor's data never changes, so the count is kept per dataId:
 * the filter and the input gradient of a layer receive the same dy and count it once).
 */
const sparseByData = new WeakMap<object, boolean>();

export function isSparseGradient(backend: WasmBackend, dy: TensorInfo, inChannels: number): boolean {
  const size = dy.shape.reduce((a, b) => a * b, 1);
  if (size === 0 || dy.dtype !== 'float32' || inChannels < SPARSE_MIN_IN_CHANNELS) return false;
  let sparse = sparseByData.get(dy.dataId);
  if (sparse === undefined) {
    sparse = nonZeroShare(backend, dy, size) <= SPARSE_DENSITY_LIMIT;
    sparseByData.set(dy.dataId, sparse);
  }
  return sparse;
}

/** Runs of this many values, this many of them spread evenly, estimate the share of non-zeros. */
const SAMPLE_RUN = 512;
const SAMPLE_RUNS = 32;

/**
 * The share of non-zero values in dy: counted exactly for small tensors, estimated from evenly
 * spread runs for large ones (a full count read all of every dense MobileNet gradient twice a
 * layer). Either kernel gives exact results, so an estimate near the limit costs only time.
 */
function nonZeroShare(backend: WasmBackend, dy: TensorInfo, size: number): number {
  const kernels = simdKernels(backend);
  const base = heapPointer(backend, dy);
  if (size <= 4 * SAMPLE_RUN * SAMPLE_RUNS) return kernels.countNonZero(base, size) / size;
  const gap = Math.floor(size / SAMPLE_RUNS);
  let nonZero = 0;
  for (let i = 0; i < SAMPLE_RUNS; i++) {
    nonZero += kernels.countNonZero(base + 4 * i * gap, SAMPLE_RUN);
  }
  return nonZero / (SAMPLE_RUN * SAMPLE_RUNS);
}
