/**
 * Base64 and base64url, strict both ways: files carry binary data (weights, images) as base64 text,
 * and each byte string has exactly one encoding, so a decoded file hashes the same as the original.
 */
import { FormatError } from './format-error';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function encodeWith(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  const chunks: string[] = [];
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + alphabet[n & 63];
    // Strings built by += grow fast but flatten slowly: keep each piece moderate.
    if (out.length >= 65_536) {
      chunks.push(out);
      out = '';
    }
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + (pad ? '=' : '');
  }
  chunks.push(out);
  return chunks.join('');
}

function lookupTable(alphabet: string): Int16Array {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}
const TABLE = lookupTable(ALPHABET);
const URL_TABLE = lookupTable(URL_ALPHABET);

/** Strict decoding: returns null for anything that is not canonical base64 of the alphabet. */
function decodeWith(text: string, table: Int16Array, padded: boolean): Uint8Array | null {
  let length = text.length;
  if (padded) {
    if (length % 4 !== 0) return null;
    if (text.endsWith('==')) length -= 2;
    else if (text.endsWith('=')) length -= 1;
  } else if (length % 4 === 1) {
    return null;
  }
  const out = new Uint8Array(Math.floor((length * 3) / 4));
  let o = 0;
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? table[code] : -1;
    if (value < 0) return null;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero, so each byte string has exactly one encoding.
  if (bits > 0 && (buffer & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  return encodeWith(bytes, ALPHABET, true);
}

/** Decodes standard padded base64; throws a `FormatError` naming `field` when it is not. */
export function base64ToBytes(text: string, field: string): Uint8Array {
  const bytes = decodeWith(text, TABLE, true);
  if (!bytes) throw new FormatError(`${field}: not valid base64`);
  return bytes;
}

export function bytesToBase64Url(bytes: Uint8Array): string {
  return encodeWith(bytes, URL_ALPHABET, false);
}

export function base64UrlToBytes(text: string, field: string): Uint8Array {
  const bytes = decodeWith(text, URL_TABLE, false);
  if (!bytes) throw new FormatError(`${field}: not valid base64url`);
  return bytes;
}
