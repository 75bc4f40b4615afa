/**
 * Resizing, separable (rows, then columns), axis by axis:
 * - enlarging an axis is bilinear with half-pixel centres (`tf.image.resize(..., 'bilinear')`);
 * - shrinking an axis is an exact area average (`'area'`): every source pixel counts in proportion
 *   to how much of it falls in the target pixel, so a 300→96 shrink does not alias the way
 *   bilinear sampling of every third pixel would.
 */
import { checkPixelImage } from './pixels';
import type { PixelImage } from './pixels';

/** For each target index: the source indices and their weights (summing to 1). */
interface AxisWeights {
  starts: Int32Array;
  counts: Int32Array;
  weights: Float32Array;
  /** Max taps per target index; `weights` holds `targetSize × taps` entries. */
  taps: number;
}

function axisWeights(sourceSize: number, targetSize: number): AxisWeights {
  const scale = sourceSize / targetSize;
  const taps = scale > 1 ? Math.ceil(scale) + 1 : 2;
  const starts = new Int32Array(targetSize);
  const counts = new Int32Array(targetSize);
  const weights = new Float32Array(targetSize * taps);
  for (let t = 0; t < targetSize; t++) {
    if (scale > 1) {
      const from = t * scale;
      const to = from + scale;
      const first = Math.floor(from);
      const last = Math.min(sourceSize - 1, Math.ceil(to) - 1);
      starts[t] = first;
      counts[t] = last - first + 1;
      for (let s = first; s <= last; s++) {
        const overlap = Math.min(to, s + 1) - Math.max(from, s);
        weights[t * taps + (s - first)] = overlap / scale;
      }
    } else {
      const centre = (t + 0.5) * scale - 0.5;
      const clamped = Math.max(0, Math.min(sourceSize - 1, centre));
      const low = Math.floor(clamped);
      const high = Math.min(sourceSize - 1, low + 1);
      const fraction = clamped - low;
      starts[t] = low;
      counts[t] = high === low ? 1 : 2;
      weights[t * taps] = high === low ? 1 : 1 - fraction;
      if (high !== low) weights[t * taps + 1] = fraction;
    }
  }
  return { starts, counts, weights, taps };
}

/** Resizes to `height`×`width`, keeping the channel count; returns a new image (or the same one). */
export function resizeImage(image: PixelImage, height: number, width: number): PixelImage {
  checkPixelImage(image);
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new Error(`cannot resize to ${height}×${width}`);
  }
  if (image.height === height && image.width === width) return image;
  const { channels, data } = image;
  const across = axisWeights(image.width, width);
  const down = axisWeights(image.height, height);

  // Rows first: sourceHeight × width × channels in floats.
  const middle = new Float32Array(image.height * width * channels);
  for (let y = 0; y < image.height; y++) {
    const sourceRow = y * image.width * channels;
    const targetRow = y * width * channels;
    for (let x = 0; x < width; x++) {
      const start = across.starts[x];
      const count = across.counts[x];
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < count; k++) {
          sum += across.weights[x * across.taps + k] * data[sourceRow + (start + k) * channels + c];
        }
        middle[targetRow + x * channels + c] = sum;
      }
    }
  }
  const out = new Uint8Array(height * width * channels);
  const rowValues = width * channels;
  for (let y = 0; y < height; y++) {
    const start = down.starts[y];
    const count = down.counts[y];
    for (let i = 0; i < rowValues; i++) {
      let sum = 0;
      for (let k = 0; k < count; k++)
        sum += down.weights[y * down.taps + k] * middle[(start + k) * rowValues + i];
      out[y * rowValues + i] = Math.max(0, Math.min(255, Math.round(sum)));
    }
  }
  return { width, height, channels, data: out };
}
