/**
 * Decoded images as plain bytes, the common ground between decoders (PNG, JPEG, WebP in Node; a
 * canvas in the browser), the resizer and the dataset format: uint8, row-major, channels last (HWC).
 */

export interface PixelImage {
  width: number;
  height: number;
  /** 1 (gray), 3 (RGB) or 4 (RGBA: what decoders and canvases hand out). */
  channels: number;
  /** `height × width × channels` bytes, row-major HWC. */
  data: Uint8Array | Uint8ClampedArray;
}

/** Throws when `data` does not hold exactly `height × width × channels` bytes. */
export function checkPixelImage(image: PixelImage): void {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`an image needs a positive integer size, got ${width}×${height}`);
  }
  if (![1, 3, 4].includes(channels)) throw new Error(`images have 1, 3 or 4 channels, not ${channels}`);
  if (data.length !== width * height * channels) {
    throw new Error(`${data.length} bytes is not a ${width}×${height}×${channels} image`);
  }
}
