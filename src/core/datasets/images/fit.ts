/**
 * One decoded picture to one dataset image: centre crop to the target aspect (so nothing is
 * stretched), convert channels, then resize (area when shrinking, bilinear when enlarging).
 * The browser's import and the CLI's both call this on RGBA pixels from their decoders.
 */
import { convertChannels } from './channels';
import { centerCropToAspect } from './crop';
import type { PixelImage } from './pixels';
import { resizeImage } from './resize';

export interface ImageShape {
  height: number;
  width: number;
  channels: 1 | 3;
}

/** Returns `height × width × channels` bytes, HWC, ready for a dataset shard. */
export function fitImage(image: PixelImage, shape: ImageShape): Uint8Array {
  const cropped = centerCropToAspect(image, shape.width / shape.height);
  // Fewer channels first: less to resize.
  const converted = convertChannels(cropped, shape.channels);
  const resized = resizeImage(converted, shape.height, shape.width);
  return resized.data instanceof Uint8Array ? resized.data : new Uint8Array(resized.data);
}

/** Parses `96x96` (or `96×96`, `96`) into [height, width]; throws a message naming the input. */
export function parseSize(text: string): [number, number] {
  const match = /^\s*(\d+)\s*(?:[x×X]\s*(\d+))?\s*$/.exec(text);
  const height = match ? Number(match[1]) : NaN;
  const width = match ? Number(match[2] ?? match[1]) : NaN;
  if (!match || height < 1 || width < 1 || height > 1024 || width > 1024) {
    throw new Error(`--size '${text}' is not HxW with sides from 1 to 1024 (for example 96x96)`);
  }
  return [height, width];
}
