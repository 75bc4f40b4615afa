/**
 * Conv2DBackpropFilter on WASM:
 *
 *   dW[kh, kw, ci, co] = sum over n, oh, ow of x[n, oh*s + kh*d - padTop, ..., ci] * dy[n, oh, ow, co]
 *
 * as ONE matmul (XNNPACK), patches^T [KH*KW*Cin, N*OH*OW] x dy [N*OH*OW, Cout], whose left operand
 * our SIMD kernel gathers from x (simd/kernels.as `im2colTransposed`) and whose right operand is dy
 * as it is. This beat the earlier rewrite as a forward convolution over transposed tensors (x as
 * [Cin, H, W, N], dy as an OHxOW filter), which XNNPACK runs as an indirect GEMM with a huge kernel
 * and which needed two transposes.
 *
 * A pointwise (1x1) convolution's gradient is x^T dy with x and dy used as they are: our SIMD kernel
 * `pointwiseFilterGrad` computes it in register blocks (MobileNet's pointwise layers).
 * When the patches are narrow (KH*KW*Cin <= Cout, e.g. a first layer on grey images) or the output
 * has few channels (<= 8) a matmul runs poorly; then our SIMD kernel computes the gradient directly. When dy is mostly
 * zeros (behind ReLU and max pooling, see sparse-gradient) another one visits only its non-zeros.
 */
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convGeometry, heapPointer, patchGeometry, simdKernels } from '../simd/simd-kernels';
import { withScratch, type WasmBackend, type WasmScratch } from './scratch';
import { isPointwise } from './pointwise';
import { isSparseGradient } from './sparse-gradient';

type ConvInfo = ReturnType<typeof backend_util.computeConv2DInfo>;

/**
 * With this few output channels the matmul's right operand is too narrow for XNNPACK: MobileNet's
 * first layer (3x3x3 -> 8 at stride 2 on 96x96) ran 1.7x faster direct than as patches^T x dy.
 */
const DIRECT_MAX_OUT_CHANNELS = 8;

/**
 * dW by one of our SIMD kernels (simd/kernels.as):
 * - `convFilterGradDirect`: for narrow patches a GEMM has too few rows to run well (the first layer
 *   of the reference CNN ran at about 1.5 GFLOP/s as patches^T x dy), while the direct loop keeps the
 *   whole filter in cache;
 * - `sparseConvFilterGrad`: from the non-zero values of dy only.
 */
function filterGradientBySimd(
  kernel: 'convFilterGradDirect' | 'sparseConvFilterGrad',
  s: WasmScratch,
  x: TensorInfo,
  dy: TensorInfo,
  info: ConvInfo,
): TensorInfo {
  const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  const size = filterShape.reduce((a, b) => a * b, 1);
  const dw = s.empty(filterShape);
  const partial = s.empty([size]);
  const total = s.empty([2 * size]);
  const b = s.backend;
  simdKernels(b)[kernel](
    heapPointer(b, x),
    heapPointer(b, dy),
    heapPointer(b, dw),
    heapPointer(b, partial),
    heapPointer(b, total),
    ...convGeometry(info),
  );
  return dw;
}

/** dW [Cin, Cout] = x^T [Cin, N*H*W] x dy [N*H*W, Cout] for a pointwise convolution, by our kernel. */
function pointwiseFilterGradient(s: WasmScratch, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const size = info.inChannels * info.outChannels;
  const dw = s.empty([1, 1, info.inChannels, info.outChannels]);
  const partial = s.empty([size]);
  const total = s.empty([2 * size]);
  const b = s.backend;
  simdKernels(b).pointwiseFilterGrad(
    heapPointer(b, x),
    heapPointer(b, dy),
    heapPointer(b, dw),
    heapPointer(b, partial),
    heapPointer(b, total),
    info.batchSize * info.inHeight * info.inWidth,
    info.inChannels,
    info.outChannels,
    // rows per chunk: measured best on MobileNet's layers (32 up to 128 output channels, 16 above)
    info.outChannels > 128 ? 16 : 32,
  );
  return dw;
}

/** dW [KH*KW*Cin, Cout] = patches^T [KH*KW*Cin, N*OH*OW] x dy [N*OH*OW, Cout], one XNNPACK matmul. */
function filterGradientByMatmul(s: WasmScratch, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const positions = info.batchSize * info.outHeight * info.outWidth;
  const patches = s.empty([1, taps, positions]);
  simdKernels(s.backend).im2colTransposed(
    heapPointer(s.backend, x),
    heapPointer(s.backend, patches),
    ...patchGeometry(info),
  );
  const grad = s.run(
    'BatchMatMul',
    { a: patches, b: s.view(dy, [1, positions, info.outChannels]) },
    { transposeA: false, transposeB: false },
  );
  return s.view(grad, [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels]);
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
  if (isSparseGradient(backend, dy, info.inChannels)) {
    return withScratch(backend, (s) => filterGradientBySimd('sparseConvFilterGrad', s, x, dy, info));
  }
  if (isPointwise(info)) {
    return withScratch(backend, (s) => pointwiseFilterGradient(s, x, dy, info));
  }
  const patchWidth = info.filterHeight * info.filterWidth * info.inChannels;
  if (patchWidth <= info.outChannels || info.outChannels <= DIRECT_MAX_OUT_CHANNELS) {
    return withScratch(backend, (s) => filterGradientBySimd('convFilterGradDirect', s, x, dy, info));
  }
  return withScratch(backend, (s) => filterGradientByMatmul(s, x, dy, info));
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};
