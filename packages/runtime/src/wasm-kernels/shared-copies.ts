/**
 * Identity and same-dtype Cast on WASM without a copy: the output shares the input's data and bumps
 * its reference count, as the CPU backend does. The shipped kernels copy, and a training step runs
 * dozens of them (layers and optimizers clone tensors, the ReLU gradient casts float32 to float32),
 * which cost several milliseconds a step on the reference CNN. Tensors are immutable, so sharing is
 * safe; every other cast goes to the shipped kernel.
 */
import type { DataType, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackend } from './scratch';

export const SHARED_COPY_KERNELS = ['Identity', 'Cast'];

const wrappers = new WeakSet<KernelFunc>();

export function isSharedCopyWrapper(kernelFunc: KernelFunc): boolean {
  return wrappers.has(kernelFunc);
}

export function withSharedData(shipped: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    const target = (args.attrs as (NamedAttrMap & { dtype?: DataType }) | undefined)?.dtype ?? x.dtype;
    if (x.dtype === 'string' || target !== x.dtype) {
      return shipped.kernelFunc(args);
    }
    (args.backend as WasmBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  wrappers.add(kernelFunc);
  return { ...shipped, kernelFunc };
}
