/**
 * DepthwiseConv2dNativeBackpropInput on WASM by our SIMD kernel (simd/kernels.as
 * `depthwiseInputGrad`), in place on the heap: each output position scatters w * dy into the input
 * pixels its window covers, vectorised over channels (multiplier 1) or channel by channel.
 * The earlier rewrite as an XNNPACK depthwise convolution of the zero-inserted, padded output
 * gradient needed a pad, a reverse and for stride 2 four times the work.
 */
import {
  backend_util,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { heapPointer, simdKernels } from '../simd/simd-kernels';
import type { WasmBackend } from './scratch';

function depthwiseBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: WasmBackend;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const [, , channels, multiplier] = filter.shape;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const out = backend.makeOutput(inputShape, 'float32');
  simdKernels(backend).depthwiseInputGrad(
    heapPointer(backend, dy),
    heapPointer(backend, filter),
    heapPointer(backend, out),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    channels,
    multiplier,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  );
  return out;
}

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as unknown as KernelFunc,
};
