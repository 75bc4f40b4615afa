/**
 * What an image file's first bytes say, read before anything decodes it: its format and its size in
 * pixels. Both importers (the CLI's, the page's) refuse a picture too large to decode from its
 * header alone, so a 100000×100000 PNG of a few kilobytes never allocates its pixels. The limits on
 * archives of pictures live here too, one set for both.
 */

/**
 * The largest image file read: a 50-megapixel PNG stored without compression is about 200 MB, and
 * the file and its decoded pixels must fit together well under a gigabyte.
 */
export const MAX_IMAGE_FILE_BYTES = 256 * 1024 * 1024;
/** The most entries a zip may list (Microsoft's cats-vs-dogs archive, the largest we read, has 25,000). */
export const MAX_ZIP_ENTRIES = 200_000;
/**
 * The most a zip imported in the page may hold once inflated, all entries together: the page holds
 * them at once (and a tab has a few gigabytes at most). Larger sets import with the CLI.
 */
export const MAX_PAGE_ZIP_BYTES = 768 * 1024 * 1024;

export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** 50 megapixels: a large DSLR photo, about 200 MB as RGBA. */
export const DEFAULT_MAX_MEGAPIXELS = 50;

export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    return 'png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 16 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/** Width and height from the header alone, or undefined when the header does not say. */
export function readImageSize(
  bytes: Uint8Array,
  format: ImageFormat,
): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'png') {
    return bytes.length >= 24 ? { width: view.getUint32(16), height: view.getUint32(20) } : undefined;
  }
  if (format === 'jpeg') {
    // Walk the markers to the first start-of-frame (SOF0..SOF15 but DHT, JPG and DAC).
    let offset = 2;
    while (offset + 9 < bytes.length) {
      if (bytes[offset] !== 0xff) return undefined;
      const marker = bytes[offset + 1];
      if (marker === 0xff) {
        offset++;
        continue;
      }
      const length = view.getUint16(offset + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
      }
      offset += 2 + length;
    }
    return undefined;
  }
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  if (chunk === 'VP8X' && bytes.length >= 30) {
    const width = 1 + (bytes[24] | (bytes[25] << 8) | (bytes[26] << 16));
    const height = 1 + (bytes[27] | (bytes[28] << 8) | (bytes[29] << 16));
    return { width, height };
  }
  if (chunk === 'VP8 ' && bytes.length >= 30) {
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  return undefined;
}
