/**
 * Centre crop to an aspect ratio: the largest centred window of the wanted width:height ratio, so
 * that a later resize never stretches the picture (Keras's `crop_to_aspect_ratio=True`).
 */
import { checkPixelImage } from './pixels';
import type { PixelImage } from './pixels';

/** The centred window of `aspect` = width / height inside a `width`×`height` image. */
export function centerCropWindow(
  width: number,
  height: number,
  aspect: number,
): { x: number; y: number; width: number; height: number } {
  if (!(aspect > 0) || !Number.isFinite(aspect)) throw new Error(`aspect must be positive, got ${aspect}`);
  let cropWidth = width;
  let cropHeight = Math.round(width / aspect);
  if (cropHeight > height) {
    cropHeight = height;
    cropWidth = Math.round(height * aspect);
  }
  cropWidth = Math.max(1, Math.min(width, cropWidth));
  cropHeight = Math.max(1, Math.min(height, cropHeight));
  return {
    x: Math.floor((width - cropWidth) / 2),
    y: Math.floor((height - cropHeight) / 2),
    width: cropWidth,
    height: cropHeight,
  };
}

export function centerCropToAspect(image: PixelImage, aspect: number): PixelImage {
  checkPixelImage(image);
  const window = centerCropWindow(image.width, image.height, aspect);
  if (window.width === image.width && window.height === image.height) return image;
  const { channels } = image;
  const out = new Uint8Array(window.width * window.height * channels);
  const rowBytes = window.width * channels;
  for (let y = 0; y < window.height; y++) {
    const start = ((window.y + y) * image.width + window.x) * channels;
    out.set(image.data.subarray(start, start + rowBytes), y * rowBytes);
  }
  return { width: window.width, height: window.height, channels, data: out };
}
