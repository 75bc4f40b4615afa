/**
 * DepthwiseConv2dNativeBackpropFilter on WASM as ONE forward depthwise convolution (XNNPACK):
 *
 *   dW[kh, kw, c, q] = sum over n, oh, ow of x[n, oh*s + kh*d - padTop, ..., c] * dy[n, oh, ow, c*m + q]
 *
 * Each (n, c) pair becomes one channel of a single image: x as [1, H, W, N*C], dy as a depthwise
 * filter [OH, OW, N*C, m] dilated by the forward stride, stride the forward dilation. Its output
 * [1, KH, KW, N*C*m] is summed over n.
 */
import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { cropNegativePads, cropSpatial } from './conv-geometry';
import { filterGradientPads } from './conv2d-backprop-filter';
import { withScratch, type WasmBackend } from './scratch';

function depthwiseBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: WasmBackend;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const [kh, kw, channels, multiplier] = filterShape;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const [batch, height, width] = x.shape;
  return withScratch(backend, (s) => {
    const xT = s.run('Transpose', { x }, { perm: [1, 2, 0, 3] });
    const image = s.view(xT, [1, height, width, batch * channels]);
    const dyT = s.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    const dyFilter = s.view(dyT, [info.outHeight, info.outWidth, batch * channels, multiplier]);
    const pads = filterGradientPads({ ...info, padTop: info.padInfo.top, padLeft: info.padInfo.left });
    const { input, pad: explicitPad } = cropNegativePads(s, image, pads);
    const grad = s.run(
      'DepthwiseConv2dNative',
      { x: input, filter: dyFilter },
      {
        strides: [info.dilationHeight, info.dilationWidth],
        dilations: [info.strideHeight, info.strideWidth],
        pad: explicitPad,
        dataFormat: 'NHWC',
      },
    );
    const cropped = cropSpatial(s, grad, kh, kw);
    const perImage = s.view(cropped, [kh, kw, batch, channels * multiplier]);
    const summed = batch === 1 ? perImage : s.run('Sum', { x: perImage }, { axis: [2], keepDims: false });
    return s.view(summed, [kh, kw, channels, multiplier]);
  });
}

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as unknown as KernelFunc,
};
