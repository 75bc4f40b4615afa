/**
 * The shipped WASM BatchMatMul and _FusedMatMul are fast only without transposes: with transposeA or
 * transposeB (every dense layer's gradients) they run several times slower than an explicit
 * Transpose followed by a plain matmul, which is what these wrappers do.
 */
import {
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { withScratch, type WasmBackend } from './scratch';

export const MATMUL_KERNELS = ['BatchMatMul', '_FusedMatMul'];

const wrappers = new WeakSet<KernelFunc>();

export function isMatmulWrapper(kernelFunc: KernelFunc): boolean {
  return wrappers.has(kernelFunc);
}

function swapLastTwo(rank: number): number[] {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

export function withExplicitTransposes(shipped: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const attrs = args.attrs as NamedAttrMap & { transposeA?: boolean; transposeB?: boolean };
    if (!attrs.transposeA && !attrs.transposeB) {
      return shipped.kernelFunc(args);
    }
    const backend = args.backend as WasmBackend;
    return withScratch(backend, (s) => {
      const inputs = { ...args.inputs };
      const a = inputs.a as TensorInfo;
      const b = inputs.b as TensorInfo;
      if (attrs.transposeA) {
        inputs.a = s.run('Transpose', { x: a }, { perm: swapLastTwo(a.shape.length) });
      }
      if (attrs.transposeB) {
        inputs.b = s.run('Transpose', { x: b }, { perm: swapLastTwo(b.shape.length) });
      }
      const newAttrs = { ...attrs, transposeA: false, transposeB: false };
      return shipped.kernelFunc({ inputs, backend, attrs: newAttrs }) as TensorInfo;
    });
  };
  wrappers.add(kernelFunc);
  return { ...shipped, kernelFunc };
}
