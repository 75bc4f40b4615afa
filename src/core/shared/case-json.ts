/**
 * Hidden cases as JSON text: the page's grading keys (built with the app, one file per function
 * exercise) and the private cases a team lead writes into a set. JSON has no typed arrays and no
 * tensors, so they are spelled out:
 *
 *   a tensor         { "$tensor": { "shape": [2, 2], "dtype": "float32", "values": [1, 2, 3, 4] } }
 *   a typed array    { "$typed": "Float32Array", "values": [0.5, -1] }
 *   NaN, ±Infinity   { "$number": "NaN" }  (a reference result may be one; JSON would write null)
 *
 * `fromCaseJson` is the only way such values come back, and it checks what it reads: the values
 * come from files other people wrote.
 */
/** Data a case carries: JSON, typed arrays, tensors as `{ $tensor }` (the sandbox's `CaseValue`). */
export type CaseValue =
  number | string | boolean | null | undefined | CaseValue[] | { [key: string]: CaseValue };

const TYPED_ARRAYS = {
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint8ClampedArray,
  Uint16Array,
  Uint32Array,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

const TENSOR_DTYPES = ['float32', 'int32', 'bool'];
/** Elements in one tensor or typed array of a case. */
export const MAX_CASE_VALUES = 1_000_000;

/** A value as JSON can carry it: typed arrays spelled out. Tensors are already `$tensor` on the wire. */
export function toCaseJson(value: CaseValue): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const name = value.constructor.name as TypedArrayName;
    return { $typed: name, values: Array.from(value as unknown as ArrayLike<number>) };
  }
  if (Array.isArray(value)) return value.map(toCaseJson);
  if (value && typeof value === 'object') {
    if ('$tensor' in value) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCaseJson(v as CaseValue)]));
  }
  return value;
}

/** The value `toCaseJson` wrote; throws a sentence naming `where` when it is not one. */
export function fromCaseJson(json: unknown, where: string, depth = 0): CaseValue {
  if (depth > 32) throw new Error(`${where}: nested more than 32 levels deep`);
  if (json === null || typeof json === 'boolean' || typeof json === 'string') return json as CaseValue;
  if (typeof json === 'number') {
    if (!Number.isFinite(json)) throw new Error(`${where}: numbers must be finite`);
    return json;
  }
  if (Array.isArray(json)) return json.map((v, i) => fromCaseJson(v, `${where}[${i}]`, depth + 1));
  if (typeof json !== 'object') throw new Error(`${where}: not JSON data`);
  const record = json as Record<string, unknown>;
  if ('$number' in record) {
    const special = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity }[String(record.$number)];
    if (special === undefined) throw new Error(`${where}: $number must be NaN, Infinity or -Infinity`);
    return special;
  }
  if ('$typed' in record) {
    const name = record.$typed as string;
    const Typed = Object.hasOwn(TYPED_ARRAYS, name) ? TYPED_ARRAYS[name as TypedArrayName] : undefined;
    if (!Typed) throw new Error(`${where}: $typed must be one of ${Object.keys(TYPED_ARRAYS).join(', ')}`);
    return new Typed(numbers(record.values, `${where}.values`)) as unknown as CaseValue;
  }
  if ('$tensor' in record) {
    const tensor = record.$tensor as Record<string, unknown> | null;
    if (!tensor || typeof tensor !== 'object') throw new Error(`${where}: $tensor must be an object`);
    const shape = numbers(tensor.shape, `${where}.$tensor.shape`);
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new Error(`${where}.$tensor.shape: sizes are whole numbers, 0 or more`);
    }
    const values = numbers(tensor.values, `${where}.$tensor.values`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== values.length) {
      throw new Error(
        `${where}.$tensor: shape [${shape.join(', ')}] needs ${size} values, not ${values.length}`,
      );
    }
    const dtype = tensor.dtype ?? 'float32';
    if (typeof dtype !== 'string' || !TENSOR_DTYPES.includes(dtype)) {
      throw new Error(`${where}.$tensor.dtype must be one of ${TENSOR_DTYPES.join(', ')}`);
    }
    return { $tensor: { shape, dtype, values } };
  }
  const out: Record<string, CaseValue> = {};
  for (const [key, value] of Object.entries(record)) {
    out[key] = fromCaseJson(value, `${where}.${key}`, depth + 1);
  }
  return out;
}

function numbers(value: unknown, where: string): number[] {
  if (!Array.isArray(value)) throw new Error(`${where} must be an array of numbers`);
  if (value.length > MAX_CASE_VALUES) throw new Error(`${where}: more than ${MAX_CASE_VALUES} values`);
  if (!value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new Error(`${where} must hold finite numbers only`);
  }
  return value as number[];
}
