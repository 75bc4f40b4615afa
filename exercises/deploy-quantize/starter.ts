/** The quantisation scheme TensorFlow.js reads from `weightSpecs[].quantization`. */
export interface Quantized {
  bytes: Uint8Array;
  quantization: { dtype: 'uint8' | 'uint16'; scale: number; min: number };
}

/**
 * Maps each weight to a code 0 … 2^bits − 1 with q = round((w − min) / scale), scale = (max − min) / (2^bits − 1).
 * Returns the codes' bytes (16-bit codes little-endian) and { dtype, scale, min }.
 */
export function quantizeWeights(weights: ArrayLike<number>, bits: 8 | 16): Quantized {
  // TODO: find min and max, compute the scale, round each weight to its code.
  // TODO: 16 bits need two bytes per code (a Uint16Array's bytes are little-endian).
  // TODO: all weights equal (max = min): use scale 1, every code 0.
  const codes = new Uint8Array(weights.length);
  for (let i = 0; i < weights.length; i++) codes[i] = Math.round(weights[i] * 100);
  return { bytes: codes, quantization: { dtype: bits === 8 ? 'uint8' : 'uint16', scale: 0.01, min: 0 } };
}

/** The weights back from their codes: w ≈ q × scale + min. */
export function dequantizeWeights(bytes: Uint8Array, quantization: Quantized['quantization']): Float32Array {
  // TODO: read 16-bit codes two bytes at a time, and add min.
  return Float32Array.from(bytes, (code) => code * quantization.scale);
}
