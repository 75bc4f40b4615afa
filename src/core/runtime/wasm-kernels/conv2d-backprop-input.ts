/**
 * Conv2DBackpropInput on WASM as ONE forward convolution (XNNPACK): the output gradient, with
 * stride-1 zeros inserted between its rows and columns and padded by (effective filter - 1 - pad),
 * convolved at stride 1 with the filter reversed in space and with its channel axes swapped.
 * The shipped kernel is a scalar loop, several times slower than the forward convolution.
 */
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { cropNegativePads, insertZeros, reverseSpatially } from './conv-geometry';
import { withScratch, type WasmBackend } from './scratch';

interface InputGradientGeometry {
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  strideHeight: number;
  strideWidth: number;
  effectiveFilterHeight: number;
  effectiveFilterWidth: number;
  padTop: number;
  padLeft: number;
}

/**
 * Pads of the zero-inserted output gradient (height outHeight * stride) that make a stride-1
 * convolution with the effective filter produce exactly inHeight x inWidth. Negative means crop.
 */
export function inputGradientPads(g: InputGradientGeometry) {
  const top = g.effectiveFilterHeight - 1 - g.padTop;
  const left = g.effectiveFilterWidth - 1 - g.padLeft;
  return {
    top,
    left,
    bottom: g.inHeight + g.effectiveFilterHeight - 1 - top - g.outHeight * g.strideHeight,
    right: g.inWidth + g.effectiveFilterWidth - 1 - left - g.outWidth * g.strideWidth,
  };
}

function conv2dBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: WasmBackend;
  attrs: Conv2DBackpropInputAttrs & { dilations?: number | [number, number] };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  if (backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') {
    throw new Error('wasm Conv2DBackpropInput supports only dataFormat NHWC');
  }
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    attrs.dilations ?? 1,
    pad,
    dimRoundingMode,
  );
  return withScratch(backend, (s) => {
    const spread = insertZeros(s, dy, info.strideHeight, info.strideWidth);
    const pads = inputGradientPads({ ...info, padTop: info.padInfo.top, padLeft: info.padInfo.left });
    const { input, pad: explicitPad } = cropNegativePads(s, spread, pads);
    const reversed = reverseSpatially(s, filter);
    const swapped = s.run('Transpose', { x: reversed }, { perm: [0, 1, 3, 2] });
    return s.run(
      'Conv2D',
      { x: input, filter: swapped },
      {
        strides: [1, 1],
        dilations: [info.dilationHeight, info.dilationWidth],
        pad: explicitPad,
        dataFormat: 'NHWC',
      },
    );
  });
}

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput as unknown as KernelFunc,
};
