/**
 * Channel conversion between gray, RGB and RGBA, with the conventions of TensorFlow so that an image
 * prepared here matches what `tf.image` would give a learner:
 * - gray from RGB uses ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B), as `tf.image.rgb_to_grayscale`;
 * - alpha is dropped, not composited, as `tf.io.decode_png(..., channels=3)` does;
 * - gray to RGB repeats the value, as `tf.image.grayscale_to_rgb`.
 */
import { checkPixelImage } from './pixels';
import type { PixelImage } from './pixels';

export function convertChannels(image: PixelImage, channels: 1 | 3 | 4): PixelImage {
  checkPixelImage(image);
  const { width, height, data } = image;
  const from = image.channels;
  if (from === channels) return image;
  const pixels = width * height;
  const out = new Uint8Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    const i = p * from;
    let r: number;
    let g: number;
    let b: number;
    if (from === 1) {
      r = g = b = data[i];
    } else {
      r = data[i];
      g = data[i + 1];
      b = data[i + 2];
    }
    const o = p * channels;
    if (channels === 1) {
      out[o] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    } else {
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      if (channels === 4) out[o + 3] = from === 4 ? data[i + 3] : 255;
    }
  }
  return { width, height, channels, data: out };
}
