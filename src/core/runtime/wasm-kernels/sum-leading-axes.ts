/**
 * Sum over the leading axes of a float32 tensor (a bias gradient: NHWC summed over N, H and W) as a
 * JS loop over the heap. The shipped WASM Sum first transposes the reduced axes to the end, which
 * for a convolution's output gradient costs more than the whole sum. Other sums go to the shipped
 * kernel.
 */
import {
  util,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { WasmBackend } from './scratch';

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
    const out = backend.makeOutput(outShape, 'float32');
    const values = backend.typedArrayFromHeap(x) as Float32Array;
    const sums = backend.typedArrayFromHeap(out) as Float32Array;
    const width = util.sizeFromShape(kept);
    const rows = width === 0 ? 0 : values.length / width;
    const acc = new Float64Array(width);
    for (let r = 0; r < rows; r++) {
      const base = r * width;
      for (let c = 0; c < width; c++) {
        acc[c] += values[base + c];
      }
    }
    sums.set(acc);
    return out;
  };
  wrappers.add(kernelFunc);
  return { ...shipped, kernelFunc };
}
