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

export function isSparseGradient(backend: WasmBackend, dy: TensorInfo, inChannels: number): boolean {
  const size = dy.shape.reduce((a, b) => a * b, 1);
  if (size === 0 || dy.dtype !== 'float32' || inChannels < SPARSE_MIN_IN_CHANNELS) return false;
  const nonZero = simdKernels(backend).countNonZero(heapPointer(backend, dy), size);
  return nonZero <= SPARSE_DENSITY_LIMIT * size;
}
