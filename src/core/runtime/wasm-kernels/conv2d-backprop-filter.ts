/**
 * Conv2DBackpropFilter on WASM as ONE forward convolution (XNNPACK) over transposed tensors:
 *
 *   dW[kh, kw, ci, co] = sum over n, oh, ow of x[n, oh*s + kh*d - padTop, ..., ci] * dy[n, oh, ow, co]
 *
 * is a convolution whose "batch" is ci (x as [Cin, H, W, N]), whose filter is dy as [OH, OW, N, Cout]
 * dilated by the forward stride s, and whose stride is the forward dilation d. Its output
 * [Cin, KH, KW, Cout] is transposed back to [KH, KW, Cin, Cout].
 *
 * When the patches are narrow (KH*KW*Cin <= Cout, e.g. a first layer on grey images) the weight
 * packing of that convolution and the transpose of dy dominate; then the gradient is one matmul
 * instead, patches^T [KH*KW*Cin, N*OH*OW] times dy [N*OH*OW, Cout], which needs no transpose of dy.
 */
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { cropNegativePads, cropSpatial } from './conv-geometry';
import { withScratch, type WasmBackend, type WasmScratch } from './scratch';

interface FilterGradientGeometry {
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/** Pads that make the rewritten convolution produce exactly filterHeight x filterWidth (or more). */
export function filterGradientPads(g: FilterGradientGeometry) {
  const neededRows = (g.filterHeight - 1) * g.dilationHeight + (g.outHeight - 1) * g.strideHeight + 1;
  const neededCols = (g.filterWidth - 1) * g.dilationWidth + (g.outWidth - 1) * g.strideWidth + 1;
  return {
    top: g.padTop,
    left: g.padLeft,
    bottom: neededRows - g.inHeight - g.padTop,
    right: neededCols - g.inWidth - g.padLeft,
  };
}

type ConvInfo = ReturnType<typeof backend_util.computeConv2DInfo>;

/** dW as patches^T times dy, the patches gathered tap by tap from x laid out as [Cin, N, H, W]. */
function filterGradientByPatches(s: WasmScratch, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const channelsFirst =
    inChannels === 1
      ? s.view(x, [1, batchSize, inHeight, inWidth])
      : s.run('Transpose', { x }, { perm: [3, 0, 1, 2] });
  const pads = filterGradientPads({ ...info, padTop: info.padInfo.top, padLeft: info.padInfo.left });
  const bottom = Math.max(0, pads.bottom);
  const right = Math.max(0, pads.right);
  const padded =
    pads.top + bottom + pads.left + right > 0
      ? s.run(
          'PadV2',
          { x: channelsFirst },
          {
            paddings: [
              [0, 0],
              [0, 0],
              [pads.top, bottom],
              [pads.left, right],
            ],
            constantValue: 0,
          },
        )
      : channelsFirst;
  const taps: TensorInfo[] = [];
  for (let kh = 0; kh < info.filterHeight; kh++) {
    for (let kw = 0; kw < info.filterWidth; kw++) {
      const top = kh * info.dilationHeight;
      const left = kw * info.dilationWidth;
      if (info.strideHeight === 1 && info.strideWidth === 1) {
        taps.push(
          s.run(
            'Slice',
            { x: padded },
            { begin: [0, 0, top, left], size: [inChannels, batchSize, outHeight, outWidth] },
          ),
        );
      } else {
        taps.push(
          s.run(
            'StridedSlice',
            { x: padded },
            {
              begin: [0, 0, top, left],
              end: [
                inChannels,
                batchSize,
                top + (outHeight - 1) * info.strideHeight + 1,
                left + (outWidth - 1) * info.strideWidth + 1,
              ],
              strides: [1, 1, info.strideHeight, info.strideWidth],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 0,
            },
          ),
        );
      }
    }
  }
  const rows = info.filterHeight * info.filterWidth * inChannels;
  const positions = batchSize * outHeight * outWidth;
  const patches =
    taps.length === 1 ? taps[0] : s.run('Concat', taps as unknown as Record<string, TensorInfo>, { axis: 0 });
  const grad = s.run(
    'BatchMatMul',
    { a: s.view(patches, [1, rows, positions]), b: s.view(dy, [1, positions, outChannels]) },
    {
      transposeA: false,
      transposeB: false,
    },
  );
  return s.view(grad, [info.filterHeight, info.filterWidth, inChannels, outChannels]);
}

function conv2dBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: WasmBackend;
  attrs: Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') {
    throw new Error('wasm Conv2DBackpropFilter supports only dataFormat NHWC');
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    attrs.dilations ?? 1,
    pad,
    dimRoundingMode,
  );
  const patchWidth = info.filterHeight * info.filterWidth * info.inChannels;
  if (patchWidth <= info.outChannels) {
    return withScratch(backend, (s) => filterGradientByPatches(s, x, dy, info));
  }
  return withScratch(backend, (s) => {
    const xT = s.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
    const dyT = s.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    const pads = filterGradientPads({ ...info, padTop: info.padInfo.top, padLeft: info.padInfo.left });
    const { input, pad: explicitPad } = cropNegativePads(s, xT, pads);
    const grad = s.run(
      'Conv2D',
      { x: input, filter: dyT },
      {
        strides: [info.dilationHeight, info.dilationWidth],
        dilations: [info.strideHeight, info.strideWidth],
        pad: explicitPad,
        dataFormat: 'NHWC',
      },
    );
    const cropped = cropSpatial(s, grad, info.filterHeight, info.filterWidth);
    return s.run('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] });
  });
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};
