/**
 * ReLU with a maximum (ReLU6 in MobileNets) on WASM in one kernel each way. tfjs layers run it as
 * Relu then ClipByValue: two passes forward and two gradient kernels backward. Patching ReLU.call
 * (see layer-call-patch) runs one pass each (simd/kernels.as `relu6`, `relu6Grad`) with the same
 * values, the gradient being exactly the chain of the two tfjs gradients (NaN and boundaries
 * included: dy passes for 0 < x <= max). After our training batch norm (MobileNet's layers) the
 * gradient pass is folded into batch norm's (see batch-norm-training `deferReluGradient`). On 'wasm'
 * with float32 input only; everything else runs tfjs's call. The gradient kernel is linear in dy,
 * so it has a gradient of its own.
 */
import {
  engine,
  getBackend,
  getGradient,
  registerGradient,
  zerosLike,
  type GradConfig,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { heapPointer, simdKernels } from '../simd/simd-kernels';
import { deferReluGradient } from './batch-norm-training';
import { overrideLayerCall, singleInput } from './layer-call-patch';
import type { WasmBackend } from './scratch';

export const RELU6 = 'CvLabReluMax';
export const RELU6_GRAD = 'CvLabReluMaxGrad';

interface MaxAttrs extends NamedAttrMap {
  maxValue: number;
}

function relu6(args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: MaxAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const out = backend.makeOutput(inputs.x.shape, 'float32');
  const count = inputs.x.shape.reduce((a, b) => a * b, 1);
  simdKernels(backend).relu6(
    heapPointer(backend, inputs.x),
    heapPointer(backend, out),
    count,
    attrs.maxValue,
  );
  return out;
}

function relu6Grad(args: {
  inputs: { dy: TensorInfo; x: TensorInfo };
  backend: WasmBackend;
  attrs: MaxAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, x } = inputs;
  const out = backend.makeOutput(x.shape, 'float32');
  const count = x.shape.reduce((a, b) => a * b, 1);
  const ptr = (t: TensorInfo) => heapPointer(backend, t);
  simdKernels(backend).relu6Grad(ptr(x), ptr(dy), ptr(out), count, attrs.maxValue);
  return out;
}

export const relu6Configs: KernelConfig[] = [
  { kernelName: RELU6, backendName: 'wasm', kernelFunc: relu6 as unknown as KernelFunc },
  { kernelName: RELU6_GRAD, backendName: 'wasm', kernelFunc: relu6Grad as unknown as KernelFunc },
];

const gradients: GradConfig[] = [
  {
    kernelName: RELU6,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      // after our training batch norm, its gradient applies this mask (see deferReluGradient)
      const deferred = deferReluGradient(x, dy as Tensor, (attrs as MaxAttrs).maxValue);
      return {
        x: () => deferred ?? (engine().runKernel(RELU6_GRAD, { dy: dy as Tensor, x }, attrs) as Tensor),
      };
    },
  },
  {
    kernelName: RELU6_GRAD,
    inputsToSave: ['x'],
    gradFunc: (ddx, saved, attrs) => {
      const [x] = saved;
      return {
        dy: () => engine().runKernel(RELU6_GRAD, { dy: ddx as Tensor, x }, attrs) as Tensor,
        x: () => zerosLike(x),
      };
    },
  },
];

function reluWithMax(layer: unknown, inputs: Tensor | Tensor[]): Tensor | undefined {
  const { maxValue } = layer as { maxValue?: number };
  const x = singleInput(inputs);
  if (maxValue == null || getBackend() !== 'wasm' || x == null || x.dtype !== 'float32') return undefined;
  return engine().runKernel(RELU6, { x }, { maxValue }) as Tensor;
}

/** Registers the gradients and patches ReLU (idempotent; retried until tfjs-layers is loaded). */
export function installWasmRelu6(): void {
  for (const config of gradients) {
    if (getGradient(config.kernelName) == null) registerGradient(config);
  }
  overrideLayerCall('ReLU', reluWithMax);
}
