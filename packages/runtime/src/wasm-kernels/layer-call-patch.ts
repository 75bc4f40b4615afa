/**
 * Replaces `call` of a tfjs-layers Layer class on the 'wasm' backend, keeping the shipped method for
 * everything our replacement does not cover. The class is looked up in tfjs-core's serialization
 * registry (tfjs-layers registers every layer class there), so the runtime imports tfjs-core only;
 * when tfjs-layers is not loaded yet nothing is patched and a later call tries again.
 */
import { serialization, type Tensor } from '@tensorflow/tfjs-core';

export type LayerCall = (
  this: unknown,
  inputs: Tensor | Tensor[],
  kwargs: Record<string, unknown>,
) => Tensor | Tensor[];

/** Our call: returns undefined where it does not apply (the shipped call then runs). */
export type LayerCallOverride = (
  layer: unknown,
  inputs: Tensor | Tensor[],
  kwargs: Record<string, unknown>,
) => Tensor | undefined;

const patched = new WeakSet<LayerCall>();

/** Patches `className`'s call (idempotent); false when the class is not registered (yet). */
export function overrideLayerCall(className: string, override: LayerCallOverride): boolean {
  const entry = serialization.SerializationMap.getMap().classNameMap[className] as
    [{ prototype: { call: LayerCall } }, unknown] | undefined;
  if (entry == null) return false;
  const prototype = entry[0].prototype;
  const shipped = prototype.call;
  if (patched.has(shipped)) return true;
  const call: LayerCall = function (this: unknown, inputs, kwargs) {
    return override(this, inputs, kwargs ?? {}) ?? shipped.call(this, inputs, kwargs);
  };
  patched.add(call);
  prototype.call = call;
  return true;
}

/** The one input tensor of a layer call, or undefined for several. */
export function singleInput(inputs: Tensor | Tensor[]): Tensor | undefined {
  if (!Array.isArray(inputs)) return inputs;
  return inputs.length === 1 ? inputs[0] : undefined;
}
