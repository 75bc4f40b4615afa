/**
 * What every CV Lab file format read from another person shares: a JSON reader that bounds the
 * document before any schema sees it, the `format` / `version` header check and text decoding. The
 * error type (`FormatError`) and base64 are in src/core/shared, below models and exercises.
 *
 * Sets (`*.cvset.json`) and submissions (`*.cvsub.json`) are untrusted: they are parsed here in
 * three steps, each of which can only fail with a `FormatError`:
 *   1. size of the text, then `JSON.parse`;
 *   2. a walk over the whole document that bounds depth, strings, arrays and keys (and refuses
 *      `__proto__`, so no later spread or merge can touch a prototype);
 *   3. the header (`format`, `version`), then the strict zod schema of the format.
 */
import type { z } from 'zod';
import { FormatError, formatSize } from '../shared/format-error';
import { errorMessage } from '../shared/errors';

export interface JsonBounds {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** Longest string anywhere, unless `longStrings` names its path. */
  maxString: number;
  /** Most items in any array. */
  maxArray: number;
  /** Most keys in any object. */
  maxKeys: number;
  /** Longer limits for known fields, by path with `*` for array indices (`model.weightDataBase64`). */
  longStrings?: Record<string, number>;
}

export const DEFAULT_BOUNDS: JsonBounds = {
  maxDepth: 48,
  maxString: 64 * 1024,
  maxArray: 100_000,
  maxKeys: 2_000,
};

/**
 * Parses `text` as JSON after checking its size, then bounds the whole document. `what` names the
 * document in messages ("set", "submission").
 */
export function parseBoundedJson(text: string, what: string, maxChars: number, bounds: JsonBounds): unknown {
  if (typeof text !== 'string') throw new FormatError(`${what}: not text`);
  if (text.length > maxChars) {
    throw new FormatError(
      `${what}: the file is ${formatSize(text.length)}, larger than the ${formatSize(maxChars)} a ${what} may be`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const kind = describeFileKind(text);
    if (kind) throw new FormatError(`${what}: this is ${kind}, not a ${what}`);
    const detail = printable(errorMessage(error));
    throw new FormatError(`${what}: not JSON (${detail}); the file may be truncated or not a ${what}`);
  }
  try {
    checkJsonBounds(json, bounds);
  } catch (error) {
    if (error instanceof FormatError) throw new FormatError(`${what}: ${error.message}`);
    throw error;
  }
  return json;
}

/** Throws a `FormatError` naming the path of the first value that exceeds `bounds`. */
export function checkJsonBounds(value: unknown, bounds: JsonBounds, path: (string | number)[] = []): void {
  const where = () => formatPath(path);
  if (path.length > bounds.maxDepth)
    throw new FormatError(`${where()}: nested deeper than ${bounds.maxDepth} levels`);
  if (typeof value === 'string') {
    const pattern = path.map((p) => (typeof p === 'number' ? '*' : p)).join('.');
    const max = bounds.longStrings?.[pattern] ?? bounds.maxString;
    if (value.length > max) {
      throw new FormatError(
        `${where()}: a string of ${formatSize(value.length)}, more than the ${formatSize(max)} allowed`,
      );
    }
    return;
  }
  if (Array.isArray(value)) {
    if (value.length > bounds.maxArray) {
      throw new FormatError(`${where()}: ${value.length} items, more than the ${bounds.maxArray} allowed`);
    }
    value.forEach((item, i) => checkJsonBounds(item, bounds, [...path, i]));
    return;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length > bounds.maxKeys) {
      throw new FormatError(`${where()}: ${keys.length} keys, more than the ${bounds.maxKeys} allowed`);
    }
    for (const key of keys) {
      if (key === '__proto__') {
        throw new FormatError(`${formatPath([...path, key])}: the key '__proto__' is not allowed`);
      }
      checkJsonBounds((value as Record<string, unknown>)[key], bounds, [...path, key]);
    }
  }
}

/**
 * Checks `format` and `version` before the schema, so that a file of another kind or of a newer
 * CV Lab gets a message that says so instead of a list of schema errors.
 */
export function checkHeader(json: unknown, format: string, version: number, what: string): void {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new FormatError(`${what}: expected a JSON object with format '${format}'`);
  }
  const header = json as { format?: unknown; version?: unknown };
  if (header.format !== format) {
    const found = typeof header.format === 'string' ? `'${header.format.slice(0, 60)}'` : 'missing';
    throw new FormatError(`${what}: format is ${found}, expected '${format}'`);
  }
  if (typeof header.version !== 'number' || !Number.isInteger(header.version) || header.version < 1) {
    throw new FormatError(
      `${what}: version must be a whole number, found ${JSON.stringify(header.version) ?? 'none'}`,
    );
  }
  if (header.version > version) {
    throw new FormatError(
      `${what}: version ${header.version} is newer than this CV Lab reads (${version}); update CV Lab to open it`,
    );
  }
}

/** Runs a zod schema and turns its first issues into `path: message` lines. */
export function parseWithSchema<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 3).map((i) => `${formatPath(i.path)}: ${i.message}`);
  const more = result.error.issues.length > 3 ? ` (and ${result.error.issues.length - 3} more problems)` : '';
  throw new FormatError(`${what}: ${issues.join('; ')}${more}`);
}

/** `exercises.3.id`, the way the brief and messages write a field's path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(root)';
}

/** A strict ISO 8601 timestamp check that `Date` can read (`2025-01-31` or with a time). */
export function isIsoDate(text: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(text) &&
    !Number.isNaN(Date.parse(text))
  );
}

// ---- text encodings -------------------------------------------------------------------------

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * The encoding of a JSON file by its first bytes: a byte-order mark, else the zero bytes that the
 * ASCII first character of a JSON text has in UTF-16 (RFC 4627's rule), else UTF-8.
 */
export function sniffTextEncoding(bytes: Uint8Array): TextEncodingName {
  if (bytes.length >= 2) {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
    if (bytes[0] !== 0 && bytes[1] === 0) return 'utf-16le';
    if (bytes[0] === 0 && bytes[1] !== 0) return 'utf-16be';
  }
  return 'utf-8';
}

/**
 * The text of a file from another person: UTF-8 (a byte-order mark is dropped) or UTF-16 of either
 * byte order, as Windows editors and PowerShell save it. Bytes that are not valid in that encoding
 * are a `FormatError`, never silently replaced.
 */
export function decodeTextFile(bytes: Uint8Array, what: string): string {
  const kind = describeFileKind(bytes);
  if (kind) throw new FormatError(`${what}: this is ${kind}, not a ${what}`);
  const encoding = sniffTextEncoding(bytes);
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError(
      `${what}: not ${encoding.toUpperCase()} text (invalid bytes); save the file as UTF-8 and try again`,
    );
  }
}

// ---- files that are not text ------------------------------------------------------------------

/** Leading bytes of common binary files, and what to call them in a message. */
const MAGIC: { bytes: readonly number[]; at?: number; kind: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], kind: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], kind: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], kind: 'a GIF image' },
  { bytes: [0x57, 0x45, 0x42, 0x50], at: 8, kind: 'a WebP image' },
  { bytes: [0x42, 0x4d], kind: 'a BMP image' },
  { bytes: [0x25, 0x50, 0x44, 0x46], kind: 'a PDF document' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], kind: 'a ZIP archive (or an Office document)' },
  { bytes: [0x1f, 0x8b], kind: 'a gzip-compressed file' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], kind: 'a program (ELF)' },
  { bytes: [0x4d, 0x5a], kind: 'a Windows program' },
];

/**
 * What a file that is not JSON looks like, from its first bytes (or, for text a browser already
 * decoded, its first characters: a byte over 0x7f reads as U+FFFD or its Latin-1 code point), so a
 * renamed image gets "this is a PNG image, not a submission" instead of its raw bytes. Null when it
 * looks like none of them.
 */
export function describeFileKind(data: Uint8Array | string): string | null {
  const at = (i: number): number => {
    if (typeof data !== 'string') return data[i] ?? -1;
    const code = data.charCodeAt(i);
    return Number.isNaN(code) ? -1 : code;
  };
  for (const magic of MAGIC) {
    const start = magic.at ?? 0;
    const matches = magic.bytes.every((byte, i) => {
      const found = at(start + i);
      // Decoded as UTF-8, a byte above 0x7f at the start of a binary file becomes U+FFFD.
      return found === byte || (byte > 0x7f && typeof data === 'string' && found === 0xfffd);
    });
    // A BMP's "BM" or a program's "MZ" are also the start of ordinary text: only with binary after.
    const short = magic.bytes.length < 3 && magic.bytes[0] < 0x80;
    if (matches && (!short || hasBinary(data))) return magic.kind;
  }
  return hasBinary(data) ? 'a binary file' : null;
}

/** Control bytes (other than tab and line breaks) or U+FFFD in the first 512 characters. */
function hasBinary(data: Uint8Array | string): boolean {
  const head = data.slice(0, 512);
  if (typeof head === 'string') {
    // eslint-disable-next-line no-control-regex
    return /[\u0001-\u0008\u000e-\u001a\u001c-\u001f\ufffd]/.test(head.replace(/^\ufeff/, ''));
  }
  // UTF-16 text holds zero bytes: leave it to the decoder.
  if (sniffTextEncoding(head) !== 'utf-8') return false;
  return head.some((b) => b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b));
}

/** A message from elsewhere (JSON.parse quotes the text it choked on) without control characters, in one line. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]+/g, ' ').trim();
  return clean.length > 120 ? `${clean.slice(0, 119)}…` : clean;
}
