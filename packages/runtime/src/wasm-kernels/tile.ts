/**
 * Tile on WASM by block copies inside the output buffer: the tensor is expanded axis by axis, from
 * the innermost, each outer block copied `reps` times with copyWithin (a memmove). Batch norm's
 * gradient tiles per-channel vectors to the activation's full shape; the shipped element-by-element
 * kernel made that the largest cost of a MobileNet step.
 */
import {
  Tile,
  util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  type TileAttrs,
} from '@tensorflow/tfjs-core';
import type { WasmBackend } from './scratch';

function tile(args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: TileAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const reps = attrs.reps;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (util.sizeFromShape(outShape) === 0) {
    return out;
  }
  const values = backend.typedArrayFromHeap(out);
  values.set(backend.typedArrayFromHeap(x));
  const shape = [...x.shape];
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const r = reps[axis];
    if (r === 1) continue;
    const block = util.sizeFromShape(shape.slice(axis));
    const outer = util.sizeFromShape(shape.slice(0, axis));
    // From the last outer index back, so that no source block is overwritten before it is copied.
    for (let o = outer - 1; o >= 0; o--) {
      const src = o * block;
      const dst = o * block * r;
      for (let k = r - 1; k >= 0; k--) {
        if (dst + k * block !== src) values.copyWithin(dst + k * block, src, src + block);
      }
    }
    shape[axis] *= r;
  }
  return out;
}

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: 'wasm',
  kernelFunc: tile as unknown as KernelFunc,
};
