/**
 * Decoding PNG, JPEG and WebP files in Node into RGBA pixels, by their bytes (not their name), with
 * a size limit checked from the header before any pixel is decoded: a 20,000 × 20,000 photo would
 * need 1.6 GB of RGBA and must be refused, not attempted.
 *
 * Pure JavaScript and WebAssembly only: pngjs, jpeg-js, and @jsquash/webp's libwebp build, whose
 * .wasm ships inside the package and is compiled from disk (no fetch, so it works offline).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { inflateBounded, InflateLimitError } from '../../core/shared/bytes';
import type { PixelImage } from '../../core/datasets/images/pixels';
import {
  DEFAULT_MAX_MEGAPIXELS,
  readImageSize,
  sniffImageFormat,
  type ImageFormat,
} from '../../core/datasets/images/header';
import { errorMessage } from '../../core/shared/errors';

export { DEFAULT_MAX_MEGAPIXELS, readImageSize, sniffImageFormat, type ImageFormat };

/** An image that cannot be used; `reason` is a phrase for a message (`not a PNG, JPEG or WebP file`). */
export class ImageDecodeError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ImageDecodeError';
  }
}

/** Channels of each PNG colour type: gray, RGB, palette, gray + alpha, RGBA. */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7's seven passes: first column, first row, column step, row step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/**
 * pngjs bounds the inflation of a plain PNG's image data by the size its header implies, but
 * inflates an interlaced one unbounded: a 1×1 interlaced PNG of 1 MB can hold a gigabyte. So for
 * interlaced PNGs the image data is first inflated here, stopping at the size the seven passes of
 * a `width`×`height` image take; only data that fits is handed to pngjs.
 */
async function checkInterlacedPng(bytes: Uint8Array, width: number, height: number): Promise<void> {
  if (bytes.length < 29 || bytes[28] !== 1) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bitsPerPixel = bytes[24] * (PNG_CHANNELS[bytes[25]] ?? 4);
  let expected = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const passWidth = Math.ceil((width - x0) / dx);
    const passHeight = Math.ceil((height - y0) / dy);
    if (passWidth > 0 && passHeight > 0)
      expected += passHeight * (1 + Math.ceil((passWidth * bitsPerPixel) / 8));
  }
  const data: Uint8Array[] = [];
  for (let offset = 8; offset + 12 <= bytes.length;) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (type === 'IDAT') data.push(bytes.subarray(offset + 8, Math.min(bytes.length, offset + 8 + length)));
    offset += 12 + length;
  }
  try {
    await inflateBounded(new Uint8Array(Buffer.concat(data)), 'deflate', expected);
  } catch (error) {
    if (error instanceof InflateLimitError) {
      throw new ImageDecodeError(
        `corrupt PNG (its image data inflates to more than ${error.limit} bytes, all a ${width}×${height} image needs)`,
      );
    }
    // Data that does not inflate is pngjs's to report, with its own words.
  }
}

type WebpDecode = (
  buffer: ArrayBuffer,
) => Promise<{ data: Uint8ClampedArray; width: number; height: number }>;
let webpDecoder: Promise<WebpDecode> | undefined;

/** Loads libwebp's decoder once, compiling its .wasm from the package folder. */
function loadWebpDecoder(): Promise<WebpDecode> {
  webpDecoder ??= (async () => {
    const require = createRequire(import.meta.url);
    const packageFolder = path.dirname(require.resolve('@jsquash/webp/package.json'));
    const wasm = await WebAssembly.compile(
      await readFile(path.join(packageFolder, 'codec/dec/webp_dec.wasm')),
    );
    const module = (await import('@jsquash/webp/decode.js')) as {
      init: (module: WebAssembly.Module) => Promise<void>;
      default: WebpDecode;
    };
    await module.init(wasm);
    return module.default;
  })();
  return webpDecoder;
}

export interface DecodeOptions {
  maxMegapixels?: number;
}

/** Decodes an image file's bytes into RGBA; throws `ImageDecodeError` saying why it cannot. */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<PixelImage> {
  const maxMegapixels = options.maxMegapixels ?? DEFAULT_MAX_MEGAPIXELS;
  if (bytes.length === 0) throw new ImageDecodeError('empty file');
  const format = sniffImageFormat(bytes);
  if (!format) throw new ImageDecodeError('not a PNG, JPEG or WebP file (unrecognised contents)');
  const size = readImageSize(bytes, format);
  if (!size || size.width < 1 || size.height < 1) {
    throw new ImageDecodeError(`corrupt ${format.toUpperCase()} (no readable image size in its header)`);
  }
  const megapixels = (size.width * size.height) / 1e6;
  if (megapixels > maxMegapixels) {
    throw new ImageDecodeError(
      `${size.width}×${size.height} is ${megapixels.toFixed(1)} megapixels, over the limit of ${maxMegapixels}; shrink it first`,
    );
  }
  try {
    if (format === 'png') {
      await checkInterlacedPng(bytes, size.width, size.height);
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return {
        width: png.width,
        height: png.height,
        channels: 4,
        data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length),
      };
    }
    if (format === 'jpeg') {
      const decoded = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: maxMegapixels,
        maxMemoryUsageInMB: Math.ceil(maxMegapixels * 4 * 2 + 64),
      });
      return { width: decoded.width, height: decoded.height, channels: 4, data: decoded.data };
    }
    const decode = await loadWebpDecoder();
    const copy = bytes.slice().buffer;
    const decoded = await decode(copy);
    return {
      width: decoded.width,
      height: decoded.height,
      channels: 4,
      data: new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length),
    };
  } catch (error) {
    if (error instanceof ImageDecodeError) throw error;
    const detail = errorMessage(error);
    throw new ImageDecodeError(`corrupt ${format.toUpperCase()} (${detail})`);
  }
}
