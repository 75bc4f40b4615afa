/**
 * Our own WASM SIMD kernels (kernels.as, AssemblyScript, built into kernels-wasm.generated.ts by
 * scripts/build-kernels.mjs), instantiated synchronously on the tfjs WASM backend's own memory so
 * that they read and write tensors in place: a pointer is `BackendWasm.getMemoryOffset(dataId)`.
 * One instance per backend memory; works in Node and in the browser worker alike (a worker may
 * compile a module of any size synchronously).
 */
import type { TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import type { WasmBackend } from '../wasm-kernels/scratch';
import { KERNELS_WASM_BASE64, KERNELS_WASM_SHARED_BASE64 } from './kernels-wasm.generated';

/** The exports of kernels.as; every pointer is a byte offset into the backend's heap. */
export interface SimdKernels {
  sumRows(
    src: number,
    rows: number,
    width: number,
    dst: number,
    partial: number,
    total: number,
    scale: number,
  ): void;
  maxPoolGrad(
    x: number,
    dy: number,
    dx: number,
    batch: number,
    inH: number,
    inW: number,
    channels: number,
    outH: number,
    outW: number,
    strideH: number,
    strideW: number,
    filterH: number,
    filterW: number,
    padTop: number,
    padLeft: number,
  ): void;
  convFilterGradDirect(
    x: number,
    dy: number,
    dw: number,
    partial: number,
    total: number,
    ...geometry: ConvGeometry
  ): void;
  depthwiseFilterGrad(
    x: number,
    dy: number,
    dw: number,
    partial: number,
    total: number,
    batch: number,
    inH: number,
    inW: number,
    channels: number,
    multiplier: number,
    outH: number,
    outW: number,
    filterH: number,
    filterW: number,
    strideH: number,
    strideW: number,
    dilationH: number,
    dilationW: number,
    padTop: number,
    padLeft: number,
  ): void;
  col2im(col: number, dx: number, ...geometry: PatchGeometry): void;
  im2colTransposed(x: number, out: number, ...geometry: PatchGeometry): void;
  countNonZero(p: number, count: number): number;
  batchNormGradSums(
    x: number,
    dy: number,
    mean: number,
    rows: number,
    width: number,
    dst: number,
    partial: number,
    total: number,
  ): void;
  binaryRowBroadcast(
    op: number,
    a: number,
    b: number,
    out: number,
    rows: number,
    width: number,
    vectorFirst: boolean,
  ): void;
  batchNormRows(
    x: number,
    mean: number,
    k: number,
    offset: number,
    out: number,
    rows: number,
    width: number,
  ): void;
  adamStep(
    value: number,
    m: number,
    v: number,
    g: number,
    newValue: number,
    newM: number,
    newV: number,
    count: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    c1: number,
    c2: number,
    epsilon: number,
    negLearningRate: number,
  ): void;
  reluGrad(x: number, dy: number, dx: number, count: number): void;
  clipGrad(x: number, dy: number, dx: number, count: number, low: number, high: number): void;
  sparseConvInputGrad(dy: number, filterT: number, dx: number, ...geometry: ConvGeometry): void;
  sparseConvFilterGrad(
    x: number,
    dy: number,
    dw: number,
    partial: number,
    total: number,
    ...geometry: ConvGeometry
  ): void;
  batchNormStats(
    x: number,
    rows: number,
    width: number,
    mean: number,
    variance: number,
    partial: number,
    total: number,
  ): void;
  batchNormTrainDx(
    x: number,
    dy: number,
    mean: number,
    a: number,
    b: number,
    k: number,
    dx: number,
    rows: number,
    width: number,
  ): void;
  depthwiseFilterGradM1(
    x: number,
    dy: number,
    dw: number,
    partial: number,
    total: number,
    batch: number,
    inH: number,
    inW: number,
    channels: number,
    ...geometry: DepthwiseGeometry
  ): void;
  depthwiseInputGradM1(
    dy: number,
    filter: number,
    dx: number,
    taps: number,
    batch: number,
    inH: number,
    inW: number,
    channels: number,
    ...geometry: DepthwiseGeometry
  ): void;
  pointwiseFilterGrad(
    x: number,
    dy: number,
    dw: number,
    partial: number,
    total: number,
    rows: number,
    inC: number,
    outC: number,
    chunk: number,
  ): void;
  rowsTimesMatrix(a: number, m: number, out: number, rows: number, k: number, n: number): void;
  batchNormReluGradSums(
    x: number,
    dz: number,
    mean: number,
    k: number,
    offset: number,
    high: number,
    rows: number,
    width: number,
    dst: number,
    partial: number,
    total: number,
  ): void;
  batchNormReluTrainDx(
    x: number,
    dz: number,
    mean: number,
    k: number,
    offset: number,
    high: number,
    a: number,
    b: number,
    kc: number,
    dx: number,
    rows: number,
    width: number,
  ): void;
  relu6(x: number, out: number, count: number, high: number): void;
  relu6Grad(x: number, dy: number, dx: number, count: number, high: number): void;
  depthwiseInputGrad(
    dy: number,
    filter: number,
    dx: number,
    batch: number,
    inH: number,
    inW: number,
    channels: number,
    multiplier: number,
    outH: number,
    outW: number,
    filterH: number,
    filterW: number,
    strideH: number,
    strideW: number,
    dilationH: number,
    dilationW: number,
    padTop: number,
    padLeft: number,
  ): void;
}

const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

/** The WebAssembly.Memory of the backend's Emscripten module (its `asm` exports hold it). */
function backendMemory(backend: WasmBackend): WebAssembly.Memory {
  const module = backend.wasm as unknown as { asm?: { memory?: unknown }; wasmMemory?: unknown };
  const memory = module.asm?.memory ?? module.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new Error('tfjs WASM backend does not expose its memory: our SIMD kernels cannot run');
  }
  return memory;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Where a convolution reads and writes, in the order our full-convolution kernels take it
 * (`convFilterGradDirect`, `sparseConvFilterGrad`, `sparseConvInputGrad`).
 */
export type ConvGeometry = [
  batch: number,
  inH: number,
  inW: number,
  inC: number,
  outH: number,
  outW: number,
  outC: number,
  filterH: number,
  filterW: number,
  strideH: number,
  strideW: number,
  dilationH: number,
  dilationW: number,
  padTop: number,
  padLeft: number,
];

/**
 * Where a convolution's patches come from, in the order `im2colTransposed` and `col2im` take it: the
 * full geometry less the output channels.
 */
export type PatchGeometry = [
  batch: number,
  inH: number,
  inW: number,
  inC: number,
  outH: number,
  outW: number,
  filterH: number,
  filterW: number,
  strideH: number,
  strideW: number,
  dilationH: number,
  dilationW: number,
  padTop: number,
  padLeft: number,
];

export function patchGeometry(info: backend_util.Conv2DInfo): PatchGeometry {
  const [batch, inH, inW, inC, outH, outW, , ...rest] = convGeometry(info);
  return [batch, inH, inW, inC, outH, outW, ...rest];
}

/** The rest of a depthwise convolution's geometry, after batch, input size and channels. */
export type DepthwiseGeometry = readonly [
  outH: number,
  outW: number,
  filterH: number,
  filterW: number,
  strideH: number,
  strideW: number,
  dilationH: number,
  dilationW: number,
  padTop: number,
  padLeft: number,
];

export function depthwiseGeometry(info: backend_util.Conv2DInfo): DepthwiseGeometry {
  return [
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
  ];
}

export function convGeometry(info: backend_util.Conv2DInfo): ConvGeometry {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/** Our kernels, bound to the memory of `backend` (instantiated on first use). */
export function simdKernels(backend: WasmBackend): SimdKernels {
  const memory = backendMemory(backend);
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const module = new WebAssembly.Module(
      decodeBase64(shared ? KERNELS_WASM_SHARED_BASE64 : KERNELS_WASM_BASE64),
    );
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    kernels = instance.exports as unknown as SimdKernels;
    instances.set(memory, kernels);
  }
  return kernels;
}

/** The byte offset of a tensor's data in the backend's heap: what our kernels take as a pointer. */
export function heapPointer(backend: WasmBackend, info: TensorInfo): number {
  return backend.getMemoryOffset(info.dataId);
}
