/**
 * The warp sampler in plain loops, for the backends whose tensors live in host memory (cpu, wasm).
 * There, reading the pixels out is a cheap copy, and one pass over them is some fifty times faster
 * than the dozens of tf ops sample-ops.ts needs (measured on a 32×96×96×3 batch under WASM:
 * ~15 ms against ~700 ms). Same semantics as sample-ops.ts, checked against it in the tests.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';
import type { FillMode } from './options';
import type { Affine, WarpSettings } from './warp';

/** Brings a coordinate outside [0, len - 1] back in by the fill mode ('constant' leaves it). */
function mapCoordinate(coord: number, len: number, fillMode: FillMode): number {
  switch (fillMode) {
    case 'constant':
      return coord;
    case 'nearest':
      return Math.min(Math.max(coord, 0), len - 1);
    case 'wrap': {
      const wrapped = coord - len * Math.floor(coord / len);
      return Math.min(Math.max(wrapped, 0), len - 1);
    }
    case 'reflect': {
      if (len <= 1) return 0;
      const period = 2 * len;
      const folded = coord - period * Math.floor(coord / period);
      const mirrored = folded < len ? folded : period - 1 - folded;
      return Math.min(Math.max(mirrored, 0), len - 1);
    }
  }
}

export function sampleOnHost(
  tf: TF,
  images: tfType.Tensor4D,
  affines: readonly Affine[],
  settings: WarpSettings,
  [outHeight, outWidth]: readonly [number, number],
): tfType.Tensor4D {
  const [n, height, width, channels] = images.shape;
  const input = images.dataSync() as Float32Array;
  const output = new Float32Array(n * outHeight * outWidth * channels);
  const { fillMode, fillValue } = settings;
  const rowStride = width * channels;
  const imageStride = height * rowStride;
  let base = 0;
  /** Adds weight × pixel (y, x) of the current image to output[at..at+channels), or weight × fill outside. */
  const accumulate = (at: number, y: number, x: number, weight: number) => {
    if (weight === 0) return;
    if (y < 0 || y > height - 1 || x < 0 || x > width - 1) {
      for (let c = 0; c < channels; c++) output[at + c] += weight * fillValue;
      return;
    }
    const from = base + y * rowStride + x * channels;
    for (let c = 0; c < channels; c++) output[at + c] += weight * input[from + c];
  };
  let at = 0;
  for (let i = 0; i < n; i++) {
    const [a0, a1, a2, b0, b1, b2] = affines[i];
    base = i * imageStride;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, at += channels) {
        const x = mapCoordinate(a0 * ox + a1 * oy + a2, width, fillMode);
        const y = mapCoordinate(b0 * ox + b1 * oy + b2, height, fillMode);
        if (settings.interpolation === 'nearest') {
          accumulate(at, Math.floor(y + 0.5), Math.floor(x + 0.5), 1);
        } else {
          const x0 = Math.floor(x);
          const y0 = Math.floor(y);
          const wx = x - x0;
          const wy = y - y0;
          accumulate(at, y0, x0, (1 - wy) * (1 - wx));
          accumulate(at, y0, x0 + 1, (1 - wy) * wx);
          accumulate(at, y0 + 1, x0, wy * (1 - wx));
          accumulate(at, y0 + 1, x0 + 1, wy * wx);
        }
      }
    }
  }
  return tf.tensor4d(output, [n, outHeight, outWidth, channels]);
}
