/**
 * Mean's gradient on WASM without a tensor of ones. tfjs computes it as (dy * ones(x.shape)) / n:
 * the ones are a JS array of x's size, made and copied into the heap on every step, and their
 * external memory made V8 run a full garbage collection about once per MobileNet step (its global
 * average pooling). Here dy / n is broadcast to x's shape by Tile (our kernel, see tile.ts): the same
 * values (dy * 1 is dy), one pass. On every backend but 'wasm' tfjs's own gradient runs.
 */
import {
  backend_util,
  broadcastTo,
  div,
  getBackend,
  getGradient,
  Mean,
  registerGradient,
  reshape,
  scalar,
  util,
  type GradConfig,
  type NamedAttrMap,
  type Tensor,
} from '@tensorflow/tfjs-core';

const overrides = new WeakSet<GradConfig>();

/** Overrides Mean's gradient on 'wasm' (idempotent). */
export function installWasmMeanGradient(): void {
  const original = getGradient(Mean);
  if (original == null || overrides.has(original)) return;
  const config: GradConfig = {
    ...original,
    gradFunc: (dyArg, saved, attrs) => {
      const dy = dyArg as Tensor;
      const [x] = saved;
      if (getBackend() !== 'wasm' || x.dtype !== 'float32' || dy.dtype !== 'float32') {
        return original.gradFunc(dyArg, saved, attrs);
      }
      const { axis } = attrs as NamedAttrMap & { axis: number | number[] };
      const axes = util.parseAxisParam(axis, x.shape);
      const [, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
      const reduceSize = util.sizeFromShape(reduceShape);
      const expandedShape = x.shape.slice();
      for (const a of axes) expandedShape[a] = 1;
      return {
        x: () => broadcastTo(div(reshape(dy, expandedShape), scalar(reduceSize)), x.shape),
      };
    },
  };
  overrides.add(config);
  registerGradient(config);
}
