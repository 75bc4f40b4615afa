/** The quantisation scheme TensorFlow.js reads from `weightSpecs[].quantization`. */
export interface Quantized {
  bytes: Uint8Array;
  quantization: { dtype: 'uint8' | 'uint16'; scale: number; min: number };
}

export function quantizeWeights(weights: ArrayLike<number>, bits: 8 | 16): Quantized {
  const levels = bits === 8 ? 255 : 65535;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < weights.length; i++) {
    min = Math.min(min, weights[i]);
    max = Math.max(max, weights[i]);
  }
  if (weights.length === 0) min = max = 0;
  // All weights equal: any scale works; 1 keeps the formula free of a division by zero.
  const scale = max > min ? (max - min) / levels : 1;
  const codes = bits === 8 ? new Uint8Array(weights.length) : new Uint16Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    codes[i] = Math.min(levels, Math.max(0, Math.round((weights[i] - min) / scale)));
  }
  // Uint16Array's bytes are little-endian on every platform tfjs runs on, as its weight files are.
  const bytes = new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength);
  return { bytes, quantization: { dtype: bits === 8 ? 'uint8' : 'uint16', scale, min } };
}

export function dequantizeWeights(bytes: Uint8Array, quantization: Quantized['quantization']): Float32Array {
  const { dtype, scale, min } = quantization;
  const copy = bytes.slice();
  const codes = dtype === 'uint8' ? copy : new Uint16Array(copy.buffer, 0, copy.byteLength / 2);
  return Float32Array.from(codes, (code) => code * scale + min);
}
