/**
 * The idx format of the original MNIST and Fashion-MNIST files (http://yann.lecun.com/exdb/mnist/):
 * a big-endian header `0x00 0x00 <type> <rank>`, then `rank` uint32 dimensions, then the data.
 * Only unsigned bytes (type 0x08) occur in these datasets.
 */
import { inflateBounded } from '../../core/shared/bytes';

/** The most an idx original may inflate to: the largest, MNIST's 60,000 training images, is 47 MB. */
export const MAX_IDX_BYTES = 64 * 1024 * 1024;

/**
 * Inflates an idx `.gz` original, stopping past `MAX_IDX_BYTES` (an `InflateLimitError`); a file that
 * is not gzip throws the platform's error.
 */
export function inflateIdx(gz: Uint8Array): Promise<Uint8Array> {
  return inflateBounded(gz, 'gzip', MAX_IDX_BYTES);
}

export interface IdxArray {
  /** Dimensions, e.g. [60000, 28, 28] for images, [60000] for labels. */
  shape: number[];
  /** The values, row-major (a view into the input, not a copy). */
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

/** Parses an uncompressed idx file; throws an Error saying what is wrong with it. */
export function parseIdx(bytes: Uint8Array, expectedRank?: number): IdxArray {
  if (bytes.length < 4) throw new Error(`too short for an idx file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`not an idx file (magic number 0x${view.getUint32(0).toString(16).padStart(8, '0')})`);
  }
  if (bytes[2] !== UNSIGNED_BYTE) {
    throw new Error(`idx data type 0x${bytes[2].toString(16)} is not unsigned byte (0x08)`);
  }
  const rank = bytes[3];
  if (expectedRank !== undefined && rank !== expectedRank) {
    throw new Error(`expected an idx file of rank ${expectedRank}, found rank ${rank}`);
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new Error(`truncated idx header (${bytes.length} bytes)`);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - headerBytes !== size) {
    throw new Error(
      `idx dimensions [${shape.join(', ')}] need ${size} data bytes, the file has ${bytes.length - headerBytes}`,
    );
  }
  return { shape, data: bytes.subarray(headerBytes) };
}

/** Writes an idx file of unsigned bytes (for test fixtures). */
export function encodeIdx(shape: number[], data: Uint8Array): Uint8Array {
  const headerBytes = 4 + 4 * shape.length;
  const out = new Uint8Array(headerBytes + data.length);
  const view = new DataView(out.buffer);
  out[2] = UNSIGNED_BYTE;
  out[3] = shape.length;
  shape.forEach((dim, i) => view.setUint32(4 + 4 * i, dim));
  out.set(data, headerBytes);
  return out;
}
