/**
 * Hashing and gzip over the web platform's own APIs (`crypto.subtle`, `CompressionStream`,
 * `DecompressionStream`), which Node 20, browsers and workers all provide: one code path everywhere.
 */
import { sha256 } from '@noble/hashes/sha2.js';

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // WebCrypto is missing where the context is not secure: the page's sandbox (an opaque origin).
  const digest = globalThis.crypto?.subtle
    ? new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
    : sha256(bytes);
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function pipeBytes(bytes: Uint8Array, transform: CompressionStream | DecompressionStream) {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return pipeBytes(bytes, new CompressionStream('gzip'));
}

/** Throws (a platform `TypeError` or similar) when the bytes are not one whole gzip stream. */
export function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return pipeBytes(bytes, new DecompressionStream('gzip'));
}
