/**
 * WASM BatchMatMul and _FusedMatMul:
 * - The shipped kernels are fast only without transposes: with transposeA or transposeB (every dense
 *   layer's gradients) they run several times slower than an explicit Transpose followed by a plain
 *   matmul, which is what these wrappers do.
 * - One product of two matrices (a dense layer and its gradients) runs on our register-blocked
 *   kernel (simd/kernels.as `rowsTimesMatrix`). XNNPACK
 *   re-packs the right operand on every call; for the reference CNN's dense layer ([64, 1600] x
 *   [1600, 128] and its gradients) ours took 0.60-0.74 ms against 0.72-0.75 ms on one thread, and
 *   XNNPACK's threaded build 1.1-1.4 ms (slower than its single thread). Batches of matrices, other
 *   types and fused activations other than ReLU stay on the shipped kernel.
 */
import {
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { heapPointer, simdKernels } from '../simd/simd-kernels';
import { withScratch, type WasmBackend, type WasmScratch } from './scratch';

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

type MatmulAttrs = NamedAttrMap & { transposeA?: boolean; transposeB?: boolean; activation?: string };

const rows = (t: TensorInfo) => t.shape[t.shape.length - 2];
const columns = (t: TensorInfo) => t.shape[t.shape.length - 1];
const matrices = (t: TensorInfo) => t.shape.slice(0, -2).reduce((x, y) => x * y, 1);

/**
 * Whether the call is one float32 product of two matrices, with at most a bias and a ReLU fused:
 * what our kernel takes.
 */
function isOneProduct(inputs: Record<string, unknown>, attrs: MatmulAttrs): boolean {
  const { a, b, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
  if (!a || !b || preluActivationWeights) return false;
  const activation = attrs.activation ?? 'linear';
  return (
    a.dtype === 'float32' &&
    b.dtype === 'float32' &&
    a.shape.length >= 2 &&
    b.shape.length >= 2 &&
    matrices(a) === 1 &&
    matrices(b) === 1 &&
    (activation === 'linear' || activation === 'relu')
  );
}

/** a x b (+ bias, ReLU) with a and b untransposed. */
function oneProduct(s: WasmScratch, inputs: Record<string, unknown>, attrs: MatmulAttrs): TensorInfo {
  const { a, b, bias } = inputs as Record<string, TensorInfo | undefined> & { a: TensorInfo; b: TensorInfo };
  const backend = s.backend;
  const [m, k, n] = [rows(a), columns(a), columns(b)];
  // the batch dimensions (all 1 here) of the operand with more of them, as the shipped kernel gives
  const batch = (a.shape.length >= b.shape.length ? a : b).shape.slice(0, -2);
  const shape = [...batch, m, n];
  let out = s.empty(shape);
  simdKernels(backend).rowsTimesMatrix(
    heapPointer(backend, a),
    heapPointer(backend, b),
    heapPointer(backend, out),
    m,
    k,
    n,
  );
  if (bias) out = s.run('Add', { a: out, b: bias });
  if (attrs.activation === 'relu') out = s.run('Relu', { x: out });
  return out;
}

export function withExplicitTransposes(shipped: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const attrs = args.attrs as MatmulAttrs;
    const backend = args.backend as WasmBackend;
    const single = isOneProduct(args.inputs, attrs);
    if (!attrs.transposeA && !attrs.transposeB && !single) {
      return shipped.kernelFunc(args);
    }
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
      if (single) {
        return oneProduct(s, inputs, attrs);
      }
      const newAttrs = { ...attrs, transposeA: false, transposeB: false };
      return shipped.kernelFunc({ inputs, backend, attrs: newAttrs }) as TensorInfo;
    });
  };
  wrappers.add(kernelFunc);
  return { ...shipped, kernelFunc };
}
