/**
 * Values that cross the sandbox boundary: a function exercise's hidden inputs go in, the learner's
 * results come out. Both sides hold their own tfjs, so tensors travel as `{ $tensor: { shape,
 * dtype, values } }`. Typed arrays go in as typed arrays (structured clone keeps them, and a
 * function that reads `bytes.buffer` needs one) and come out as plain arrays, as the grader compares
 * them; everything else must already be plain data.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Plain } from '../grading/cases';
import type { TF } from '../shared/tf';
import type { WireValue } from './protocol';

type TensorWire = { $tensor: { shape: number[]; dtype: string; values: number[] } };

function isTensorWire(value: unknown): value is TensorWire {
  return typeof value === 'object' && value !== null && '$tensor' in value;
}

/** Host side: a hidden case's argument as it crosses into the sandbox. */
export function encodeArgument(tf: TF, value: unknown): WireValue {
  if (value instanceof tf.Tensor) {
    const tensor = value as tfType.Tensor;
    return {
      $tensor: { shape: [...tensor.shape], dtype: tensor.dtype, values: Array.from(tensor.dataSync()) },
    };
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return (value as unknown as { slice(): WireValue }).slice();
  }
  if (Array.isArray(value)) return value.map((v) => encodeArgument(tf, v));
  if (value && typeof value === 'object') {
    const out: Record<string, WireValue> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = encodeArgument(tf, inner);
    return out;
  }
  return value as WireValue;
}

/** Sandbox side: the argument rebuilt with the sandbox's own tfjs (fresh tensors for each call). */
export function decodeArgument(tf: TF, value: WireValue): unknown {
  if (isTensorWire(value)) {
    const { shape, dtype, values } = value.$tensor;
    return tf.tensor(values, shape, dtype as tfType.DataType);
  }
  // Each call gets its own copy, so a function that writes into its input harms no other call.
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): unknown }).slice();
  if (Array.isArray(value)) return value.map((v) => decodeArgument(tf, v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = decodeArgument(tf, inner as WireValue);
    return out;
  }
  return value;
}

/**
 * Sandbox side: whatever a learner's function returned, as plain data. Tensors become
 * `{ shape, values }` — the form the grader compares (grading/cases.ts) — and anything that is not
 * data (functions, class instances, cycles) is refused with a sentence.
 */
export async function toPlainResult(tf: TF, value: unknown, depth = 0): Promise<Plain> {
  if (depth > 32) throw new Error('the result is nested more than 32 levels deep');
  if (value instanceof tf.Tensor) {
    const tensor = value as tfType.Tensor;
    return { shape: [...tensor.shape], values: (await tensor.array()) as Plain };
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>);
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => toPlainResult(tf, v, depth + 1)));
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
    throw new Error(`the result is a ${typeof value}, not data`);
  }
  if (value && typeof value === 'object') {
    const out: Record<string, Plain> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = await toPlainResult(tf, inner, depth + 1);
    return out;
  }
  return value as Plain;
}
