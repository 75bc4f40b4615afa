/**
 * Sum and Mean over the leading axes of a float32 tensor (a bias gradient, NHWC summed over N, H and
 * W; a batch-norm mean) by our SIMD kernel (simd/kernels.as `sumRows`), in place on the heap. The
 * shipped WASM kernels first transpose the reduced axes to the end, which for a convolution's
 * output gradient costs more than the whole sum. Other reductions go to the shipped kernels.
 */
import {
  util,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { heapPointer, simdKernels } from '../simd/simd-kernels';
import { withScratch, type WasmBackend } from './scratch';

const wrappers = new WeakSet<KernelFunc>();

export function isSumWrapper(kernelFunc: KernelFunc): boolean {
  return wrappers.has(kernelFunc);
}

/** The number of leading axes `axis` names, or 0 when they are not exactly a leading run. */
function leadingAxisCount(axis: number | number[], rank: number): number {
  const axes = [...new Set(util.parseAxisParam(axis, Array(rank).fill(1)))].sort((p, q) => p - q);
  return axes.every((a, i) => a === i) && axes.length < rank ? axes.length : 0;
}

export function withFastLeadingSum(shipped: KernelConfig): KernelConfig {
  const mean = shipped.kernelName === 'Mean';
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    const attrs = args.attrs as NamedAttrMap & { axis: number | number[]; keepDims: boolean };
    const leading = x.dtype === 'float32' ? leadingAxisCount(attrs.axis, x.shape.length) : 0;
    if (leading === 0) {
      return shipped.kernelFunc(args);
    }
    const backend = args.backend as WasmBackend;
    const kept = x.shape.slice(leading);
    const outShape = attrs.keepDims ? [...x.shape.slice(0, leading).map(() => 1), ...kept] : kept;
    const width = util.sizeFromShape(kept);
    const rows = width === 0 ? 0 : util.sizeFromShape(x.shape) / width;
    return withScratch(backend, (s) => {
      const out = s.empty(outShape);
      // float32 partial sums and float64 totals, one per column
      const partial = s.empty([width]);
      const total = s.empty([2 * width]);
      simdKernels(backend).sumRows(
        heapPointer(backend, x),
        rows,
        width,
        heapPointer(backend, out),
        heapPointer(backend, partial),
        heapPointer(backend, total),
        mean && rows > 0 ? 1 / rows : 1,
      );
      return out;
    });
  };
  wrappers.add(kernelFunc);
  return { ...shipped, kernelFunc };
}
