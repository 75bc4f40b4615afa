/**
 * Shape plumbing shared by the convolution gradients: every gradient here is rewritten as one
 * forward convolution (which XNNPACK runs fast) over re-laid-out tensors, and these helpers build
 * those layouts: zero-insertion for strides, padding that may be negative (then it crops), and a
 * final crop of spatial rows the rewritten convolution computed beyond the wanted size.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmScratch } from './scratch';

/** Explicit NHWC padding in the form `computeConv2DInfo` accepts. */
export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

export interface SpatialPads {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * Inserts `strideH - 1` zero rows after each row and `strideW - 1` zero columns after each column of
 * an NHWC tensor (the trailing zeros after the last row or column are kept: callers crop them with a
 * negative pad). A convolution with stride s has as its transpose a stride-1 convolution over this.
 */
export function insertZeros(s: WasmScratch, x: TensorInfo, strideH: number, strideW: number): TensorInfo {
  if (strideH === 1 && strideW === 1) {
    return x;
  }
  const [n, h, w, c] = x.shape;
  const spread = s.view(x, [n, h, 1, w, 1, c]);
  const padded = s.run(
    'PadV2',
    { x: spread },
    {
      paddings: [
        [0, 0],
        [0, 0],
        [0, strideH - 1],
        [0, 0],
        [0, strideW - 1],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  return s.view(padded, [n, h * strideH, w * strideW, c]);
}

/**
 * Applies pads that may be negative to an NHWC tensor: negative sides are cropped here (XNNPACK
 * takes only non-negative pads) and the non-negative rest is returned for the convolution to apply.
 */
export function cropNegativePads(
  s: WasmScratch,
  x: TensorInfo,
  pads: SpatialPads,
): { input: TensorInfo; pad: ExplicitPad } {
  const [n, h, w, c] = x.shape;
  const cropTop = Math.max(0, -pads.top);
  const cropBottom = Math.max(0, -pads.bottom);
  const cropLeft = Math.max(0, -pads.left);
  const cropRight = Math.max(0, -pads.right);
  let input = x;
  if (cropTop + cropBottom + cropLeft + cropRight > 0) {
    input = s.run(
      'Slice',
      { x },
      {
        begin: [0, cropTop, cropLeft, 0],
        size: [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c],
      },
    );
  }
  const pad: ExplicitPad = [
    [0, 0],
    [Math.max(0, pads.top), Math.max(0, pads.bottom)],
    [Math.max(0, pads.left), Math.max(0, pads.right)],
    [0, 0],
  ];
  return { input, pad };
}

/** Keeps the first `height` rows and `width` columns of an NHWC tensor (no copy when already so). */
export function cropSpatial(s: WasmScratch, y: TensorInfo, height: number, width: number): TensorInfo {
  const [n, h, w, c] = y.shape;
  if (h === height && w === width) {
    return y;
  }
  return s.run('Slice', { x: y }, { begin: [0, 0, 0, 0], size: [n, height, width, c] });
}

/** Reverses a [KH, KW, A, B] filter in both spatial axes: the transpose of a correlation. */
export function reverseSpatially(s: WasmScratch, filter: TensorInfo): TensorInfo {
  const [kh, kw] = filter.shape;
  if (kh === 1 && kw === 1) {
    return filter;
  }
  return s.run('Reverse', { x: filter }, { dims: [0, 1] });
}
