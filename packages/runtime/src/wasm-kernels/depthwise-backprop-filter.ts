/**
 * DepthwiseConv2dNativeBackpropFilter on WASM by our SIMD kernel (simd/kernels.as
 * `depthwiseFilterGrad`), in place on the heap:
 *
 *   dW[kh, kw, c, q] = sum over n, oh, ow of x[n, oh*s + kh*d - padTop, ..., c] * dy[n, oh, ow, c*m + q]
 *
 * vectorised over channels. With multiplier 1 (MobileNets) `depthwiseFilterGradM1` sums each tap
 * over an image in registers, 16 channels at a time (2 to 4 times faster on MobileNet's layers);
 * otherwise `depthwiseFilterGrad` keeps the filter in cache while x and dy are read once, in order. The earlier rewrite as an XNNPACK depthwise convolution with an
 * OHxOW kernel ran at about 1 GFLOP/s and needed two transposes.
 */
import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { depthwiseGeometry, heapPointer, simdKernels } from '../simd/simd-kernels';
import { withScratch, type WasmBackend } from './scratch';

function depthwiseBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: WasmBackend;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const [, , channels, multiplier] = filterShape;
  const size = filterShape.reduce((a, b) => a * b, 1);
  return withScratch(backend, (s) => {
    const dw = s.empty(filterShape);
    // per-image float32 partial sums, folded into float64 totals
    const partial = s.empty([size]);
    const total = s.empty([2 * size]);
    const pointers = [x, dy, dw, partial, total].map((t) => heapPointer(backend, t)) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const geometry = depthwiseGeometry(info);
    const kernels = simdKernels(backend);
    if (multiplier === 1) {
      kernels.depthwiseFilterGradM1(
        ...pointers,
        info.batchSize,
        info.inHeight,
        info.inWidth,
        channels,
        ...geometry,
      );
    } else {
      kernels.depthwiseFilterGrad(
        ...pointers,
        info.batchSize,
        info.inHeight,
        info.inWidth,
        channels,
        multiplier,
        ...geometry,
      );
    }
    return dw;
  });
}

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as unknown as KernelFunc,
};
