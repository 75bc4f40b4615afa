/**
 * The files of a folder or of a zip, behind one interface: their relative paths (`/`-separated) and
 * a way to read each. A zip is read through its central directory (yauzl), one entry at a time, so
 * an 800 MB archive is never held in memory whole.
 *
 * Folders and zips come from other people, so reading is bounded: no file over
 * `MAX_IMAGE_FILE_BYTES` is read, a zip entry is inflated (by the core's one bounded inflater) to
 * its declared size and not one byte more, symbolic links are listed but never followed, and a zip
 * whose entries name paths outside it (`../x`, `/etc/x`) is refused by yauzl as it is opened.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { inflateBounded, InflateLimitError } from '../../core/shared/bytes';
import { stripControlCharacters } from '../../core/text/control-characters';
import { CliError } from '../cli-error';
import { ImageDecodeError } from './image-decode';
import { MAX_IMAGE_FILE_BYTES, MAX_ZIP_ENTRIES } from '../../core/datasets/images/header';

export { MAX_IMAGE_FILE_BYTES, MAX_ZIP_ENTRIES };

/** A zip whose contents contradict its own directory: the whole archive is refused. */
export class DamagedArchiveError extends CliError {}

export interface ImageSourceFile {
  path: string;
  /** Its size: on disk, or as the zip's directory declares it. */
  bytes: number;
}

export interface ImageSource {
  /** What it is, for messages: the folder or zip path. */
  description: string;
  files: ImageSourceFile[];
  folders: string[];
  /** Symbolic links found in a folder: never followed, listed so the log can say so. */
  links: string[];
  /** The whole file; an `ImageDecodeError` when it is over `MAX_IMAGE_FILE_BYTES`. */
  read(file: string): Promise<Uint8Array>;
  /** The first `count` bytes only (to sniff a header cheaply). */
  readStart(file: string, count: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export async function openImageSource(input: string): Promise<ImageSource> {
  const resolved = path.resolve(input);
  let info;
  try {
    info = await stat(resolved);
  } catch {
    throw new Error(`${resolved} does not exist`);
  }
  if (info.isDirectory()) return openFolder(resolved);
  if (info.isFile()) return openZip(resolved);
  throw new Error(`${resolved} is neither a folder nor a zip file`);
}

/** Refuses, before reading it, a file over the ceiling (the import skips it, naming the reason). */
function checkFileSize(bytes: number): void {
  if (bytes > MAX_IMAGE_FILE_BYTES) {
    throw new ImageDecodeError(
      `${(bytes / 1024 / 1024).toFixed(1)} MB, over the limit of ${MAX_IMAGE_FILE_BYTES / 1024 / 1024} MB for one image file`,
    );
  }
}

async function openFolder(root: string): Promise<ImageSource> {
  const files: ImageSourceFile[] = [];
  const folders: string[] = [];
  const links: string[] = [];
  // Dirents do not follow links, so a linked folder or file (to /etc, to /dev/zero) is never read.
  const walk = async (relative: string) => {
    const entries = await readdir(path.join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        links.push(child);
      } else if (entry.isDirectory()) {
        folders.push(child);
        await walk(child);
      } else if (entry.isFile()) {
        files.push({ path: child, bytes: (await stat(path.join(root, child))).size });
      }
    }
  };
  await walk('');
  const sizes = new Map(files.map((f) => [f.path, f.bytes]));
  return {
    description: root,
    files,
    folders,
    links,
    read: async (file) => {
      checkFileSize(sizes.get(file) ?? (await stat(path.join(root, file))).size);
      return new Uint8Array(await readFile(path.join(root, file)));
    },
    readStart: async (file, count) => {
      const chunks: Buffer[] = [];
      for await (const chunk of createReadStream(path.join(root, file), { start: 0, end: count - 1 })) {
        chunks.push(chunk as Buffer);
      }
      return new Uint8Array(Buffer.concat(chunks));
    },
    close: async () => {},
  };
}

async function openZip(file: string): Promise<ImageSource> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: true }, (error, opened) =>
      error || !opened
        ? reject(new Error(`${file} is not a readable zip file (${error?.message ?? 'unknown error'})`))
        : resolve(opened),
    ),
  );
  if (zip.entryCount > MAX_ZIP_ENTRIES) {
    zip.close();
    throw new Error(
      `${file} lists ${zip.entryCount.toLocaleString('en-US')} entries, more than the ${MAX_ZIP_ENTRIES.toLocaleString('en-US')} an import reads`,
    );
  }
  const entries = new Map<string, yauzl.Entry>();
  const folders: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      const name = entry.fileName.replace(/\\/g, '/');
      if (name.endsWith('/')) folders.push(name.slice(0, -1));
      else entries.set(name, entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    // yauzl refuses entry names with `..`, absolute paths and backslashes here, naming the entry.
    zip.on('error', (error: Error) => {
      zip.close();
      reject(new Error(`${file} is refused: ${stripControlCharacters(error.message)}`));
    });
    zip.readEntry();
  });
  // Folders named only through their files' paths still count as folders.
  for (const name of entries.keys()) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) folders.push(parts.slice(0, i).join('/'));
  }
  const readEntry = async (name: string, prefix?: number): Promise<Uint8Array> => {
    const entry = entries.get(name);
    if (!entry) throw new Error(`${name}: not in ${file}`);
    const declared = entry.uncompressedSize;
    if (prefix === undefined) checkFileSize(declared);
    if (entry.isEncrypted()) throw new ImageDecodeError('encrypted in the zip');
    // Raw entry data: the one bounded inflater of the core decodes it, not yauzl's unbounded one.
    const raw = await new Promise<Readable>((resolve, reject) =>
      zip.openReadStream(entry, { decodeFileData: false }, (error, stream) =>
        error || !stream ? reject(error ?? new Error('cannot be read')) : resolve(stream),
      ),
    );
    const limit = prefix === undefined ? declared : Math.min(prefix, declared);
    const truncate = prefix !== undefined;
    try {
      let bytes: Uint8Array;
      if (entry.compressionMethod === 8) {
        const source = Readable.toWeb(raw) as ReadableStream<Uint8Array<ArrayBuffer>>;
        bytes = await inflateBounded(source, 'deflate-raw', limit, { truncate });
      } else if (entry.compressionMethod === 0) {
        bytes = await readBounded(raw, limit, truncate);
      } else {
        raw.destroy();
        throw new ImageDecodeError(
          `compressed by method ${entry.compressionMethod}, which cannot be read (use deflate)`,
        );
      }
      if (!truncate && bytes.length !== declared) {
        throw new DamagedArchiveError(
          `${file}: ${stripControlCharacters(name)} holds ${bytes.length} bytes, but the zip declares ${declared}; the archive is damaged or forged, make it again`,
        );
      }
      return bytes;
    } catch (error) {
      raw.destroy();
      if (error instanceof InflateLimitError) {
        throw new DamagedArchiveError(
          `${file}: ${stripControlCharacters(name)} holds more than the ${declared} bytes the zip declares for it; the archive is damaged or forged, make it again`,
        );
      }
      throw error;
    }
  };
  return {
    description: file,
    files: [...entries.values()].map((e) => ({
      path: e.fileName.replace(/\\/g, '/'),
      bytes: e.uncompressedSize,
    })),
    folders: [...new Set(folders)],
    links: [],
    read: (name) => readEntry(name),
    readStart: (name, count) => readEntry(name, count),
    close: async () => zip.close(),
  };
}

/** Reads a stream to its end, or (with `truncate`) its first `maxBytes`; an `InflateLimitError` past them. */
async function readBounded(stream: Readable, maxBytes: number, truncate: boolean): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const room = maxBytes - size;
    if (chunk.byteLength > room) {
      if (!truncate) throw new InflateLimitError(maxBytes);
      chunks.push(chunk.subarray(0, room));
      size = maxBytes;
      break;
    }
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  return new Uint8Array(Buffer.concat(chunks, size));
}

/**
 * The part of a source under a folder named `folder` (at the top or inside one wrapping folder, as
 * `cats_and_dogs_filtered/train/`), with paths relative to it: one zip that holds both splits.
 */
export function withinFolder(source: ImageSource, folder: string): ImageSource {
  const prefixOf = (p: string): string | undefined => {
    const parts = p.split('/');
    const at = parts.indexOf(folder);
    return at >= 0 && at <= 1 ? `${parts.slice(0, at + 1).join('/')}/` : undefined;
  };
  const prefixes = new Set(source.files.map((f) => prefixOf(f.path)).filter((p) => p !== undefined));
  if (prefixes.size !== 1) {
    throw new Error(
      prefixes.size === 0
        ? `no folder '${folder}' at the top of the archive (or inside one top folder)`
        : `more than one folder '${folder}' in the archive: ${[...prefixes].join(', ')}`,
    );
  }
  const [prefix] = prefixes as Set<string>;
  const inside = (p: string) => p.startsWith(prefix) && p.length > prefix.length;
  return {
    ...source,
    description: `${source.description} (${prefix})`,
    files: source.files
      .filter((f) => inside(f.path))
      .map((f) => ({ ...f, path: f.path.slice(prefix.length) })),
    folders: source.folders.filter((p) => inside(`${p}/`)).map((p) => p.slice(prefix.length)),
    links: source.links.filter(inside).map((p) => p.slice(prefix.length)),
    read: (file) => source.read(prefix + file),
    readStart: (file, count) => source.readStart(prefix + file, count),
  };
}
