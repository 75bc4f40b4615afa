/**
 * ReLU and ReLU6 gradients on WASM in one pass each. tfjs composes the gradient of Relu from Step,
 * Cast and Multiply, and that of ClipByValue (ReLU6 is Relu then ClipByValue in tfjs layers) from
 * GreaterEqual, LessEqual, LogicalAnd, ZerosLike and Select: five full passes with scalar
 * broadcasting, which made the ReLU6 gradients a quarter of a MobileNet step.
 *
 * Gradients are registered per kernel name, not per backend, so the override keeps tfjs's own
 * gradient function and hands over to it on every backend but 'wasm'. On 'wasm' it runs one of our
 * kernels (simd/kernels.as `reluGrad`, `clipGrad`), with the same values (NaN handling included).
 * Our kernels have gradients themselves (linear in dy), so higher-order gradients still work.
 */
import {
  ClipByValue,
  engine,
  getBackend,
  getGradient,
  registerGradient,
  Relu,
  zerosLike,
  type GradConfig,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { heapPointer, simdKernels } from '../simd/simd-kernels';
import type { WasmBackend } from './scratch';

export const RELU_GRAD = 'CvLabReluGrad';
export const CLIP_GRAD = 'CvLabClipByValueGrad';

interface GradInputs {
  inputs: { dy: TensorInfo; x: TensorInfo };
  backend: WasmBackend;
  attrs: NamedAttrMap & { clipValueMin?: number; clipValueMax?: number };
}

function activationGradient(kind: 'relu' | 'clip') {
  return ({ inputs, backend, attrs }: GradInputs): TensorInfo => {
    const { dy, x } = inputs;
    const out = backend.makeOutput(x.shape, 'float32');
    const count = x.shape.reduce((a, b) => a * b, 1);
    const kernels = simdKernels(backend);
    const [xp, dyp, dxp] = [heapPointer(backend, x), heapPointer(backend, dy), heapPointer(backend, out)];
    if (kind === 'relu') {
      kernels.reluGrad(xp, dyp, dxp, count);
    } else {
      kernels.clipGrad(xp, dyp, dxp, count, attrs.clipValueMin as number, attrs.clipValueMax as number);
    }
    return out;
  };
}

export const activationGradientConfigs: KernelConfig[] = [
  {
    kernelName: RELU_GRAD,
    backendName: 'wasm',
    kernelFunc: activationGradient('relu') as unknown as KernelFunc,
  },
  {
    kernelName: CLIP_GRAD,
    backendName: 'wasm',
    kernelFunc: activationGradient('clip') as unknown as KernelFunc,
  },
];

function runGradKernel(name: string, dy: Tensor, x: Tensor, attrs: NamedAttrMap = {}): Tensor {
  return engine().runKernel(name, { dy, x }, attrs) as Tensor;
}

/** Our kernels are linear in dy with a mask from x: d/d(dy) is the same kernel, d/dx is zero. */
const ownGradients: GradConfig[] = [RELU_GRAD, CLIP_GRAD].map((kernelName) => ({
  kernelName,
  inputsToSave: ['x'],
  gradFunc: (ddx: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved;
    return {
      dy: () => runGradKernel(kernelName, ddx as Tensor, x, attrs),
      x: () => zerosLike(x),
    };
  },
}));

const overrides = new WeakSet<GradConfig>();

function overrideOnWasm(kernelName: string, ours: string): void {
  const original = getGradient(kernelName);
  if (original == null || overrides.has(original)) return;
  const config: GradConfig = {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      if (getBackend() !== 'wasm') return original.gradFunc(dy, saved, attrs);
      const [x] = saved;
      return { x: () => runGradKernel(ours, dy as Tensor, x, attrs) };
    },
  };
  overrides.add(config);
  registerGradient(config);
}

/** Registers the gradient overrides (idempotent). The kernels are registered with the others. */
export function installWasmActivationGradients(): void {
  for (const config of ownGradients) {
    if (getGradient(config.kernelName) == null) registerGradient(config);
  }
  overrideOnWasm(Relu, RELU_GRAD);
  overrideOnWasm(ClipByValue, CLIP_GRAD);
}
