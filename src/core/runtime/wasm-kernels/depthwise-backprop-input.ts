/**
 * DepthwiseConv2dNativeBackpropInput on WASM as ONE forward depthwise convolution (XNNPACK), the same
 * rewrite as the dense input gradient: zero-inserted, padded output gradient convolved with the
 * spatially reversed filter. With a channel multiplier m the filter is read as m*C channels of
 * multiplier 1 and the m gradients that land on one input channel are summed afterwards.
 */
import {
  backend_util,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { cropNegativePads, insertZeros, reverseSpatially } from './conv-geometry';
import { inputGradientPads } from './conv2d-backprop-input';
import { withScratch, type WasmBackend } from './scratch';

function depthwiseBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: WasmBackend;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const [kh, kw, channels, multiplier] = filter.shape;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  return withScratch(backend, (s) => {
    const spread = insertZeros(s, dy, info.strideHeight, info.strideWidth);
    const pads = inputGradientPads({ ...info, padTop: info.padInfo.top, padLeft: info.padInfo.left });
    const { input, pad: explicitPad } = cropNegativePads(s, spread, pads);
    const reversed = reverseSpatially(s, filter);
    const perChannel = s.view(reversed, [kh, kw, channels * multiplier, 1]);
    const grad = s.run(
      'DepthwiseConv2dNative',
      { x: input, filter: perChannel },
      {
        strides: [1, 1],
        dilations: [info.dilationHeight, info.dilationWidth],
        pad: explicitPad,
        dataFormat: 'NHWC',
      },
    );
    if (multiplier === 1) {
      return grad;
    }
    const [n, h, w] = grad.shape;
    const grouped = s.view(grad, [n, h, w, channels, multiplier]);
    return s.run('Sum', { x: grouped }, { axis: [4], keepDims: false });
  });
}

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as unknown as KernelFunc,
};
