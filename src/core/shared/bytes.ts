/**
 * Hashing and compression over the web platform's own APIs (`crypto.subtle`, `CompressionStream`,
 * `DecompressionStream`), which Node 20, browsers and workers all provide: one code path everywhere.
 *
 * Decompression has one entry point, `inflateBounded`: compressed bytes come from other people
 * (shards, private tests, set links, zip entries), and a few kilobytes of deflate can expand to
 * gigabytes, so every inflation streams and stops at the first byte past a limit the caller derives
 * from what the file declares.
 */
import { sha256 } from '@noble/hashes/sha2.js';

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // WebCrypto is missing where the context is not secure: the page's sandbox (an opaque origin).
  const digest = globalThis.crypto?.subtle
    ? new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
    : sha256(bytes);
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** gzip (shards), zlib's `deflate` (PNG image data) and raw deflate (zip entries, set links). */
export type CompressionFormat = 'gzip' | 'deflate' | 'deflate-raw';

/** Compresses our own bytes (building shards and links); never used on bytes from elsewhere. */
export async function compress(bytes: Uint8Array, format: CompressionFormat): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return compress(bytes, 'gzip');
}

/** Thrown by `inflateBounded` at the first byte past its limit; the caller names the file. */
export class InflateLimitError extends Error {
  constructor(readonly limit: number) {
    super(`decompresses to more than ${limit.toLocaleString('en-US')} bytes, the most it may hold`);
    this.name = 'InflateLimitError';
  }
}

export interface InflateOptions {
  /** Return the first `maxBytes` bytes instead of throwing (to sniff a file's header). */
  truncate?: boolean;
}

/**
 * Inflates `input` (bytes, or a stream of them, as a zip entry arrives) and returns at most
 * `maxBytes` bytes. Throws an `InflateLimitError` as soon as the output passes `maxBytes`, having
 * held no more than `maxBytes` plus one chunk of output; throws the platform's error (a
 * `TypeError` or similar) when the input is not one whole stream of `format`.
 */
export async function inflateBounded(
  input: Uint8Array | ReadableStream<BufferSource>,
  format: CompressionFormat,
  maxBytes: number,
  options: InflateOptions = {},
): Promise<Uint8Array> {
  const source: ReadableStream<BufferSource> =
    input instanceof Uint8Array ? new Blob([input as Uint8Array<ArrayBuffer>]).stream() : input;
  const reader = source.pipeThrough(new DecompressionStream(format)).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Cancelling stops the inflater and the source: nothing past this chunk is produced.
      await reader.cancel().catch(() => {});
      if (!options.truncate) throw new InflateLimitError(maxBytes);
      chunks.push(value.subarray(0, value.byteLength - (size - maxBytes)));
      size = maxBytes;
      break;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
