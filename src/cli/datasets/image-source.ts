/**
 * The files of a folder or of a zip, behind one interface: their relative paths (`/`-separated) and
 * a way to read each. A zip is read through its central directory (yauzl), one entry at a time, so
 * an 800 MB archive is never held in memory whole.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';

export interface ImageSourceFile {
  path: string;
  bytes: number;
}

export interface ImageSource {
  /** What it is, for messages: the folder or zip path. */
  description: string;
  files: ImageSourceFile[];
  folders: string[];
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

async function openFolder(root: string): Promise<ImageSource> {
  const files: ImageSourceFile[] = [];
  const folders: string[] = [];
  const walk = async (relative: string) => {
    const entries = await readdir(path.join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        folders.push(child);
        await walk(child);
      } else if (entry.isFile()) {
        files.push({ path: child, bytes: (await stat(path.join(root, child))).size });
      }
    }
  };
  await walk('');
  return {
    description: root,
    files,
    folders,
    read: async (file) => new Uint8Array(await readFile(path.join(root, file))),
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
    zip.on('error', (error: Error) => reject(new Error(`${file}: ${error.message}`)));
    zip.readEntry();
  });
  // Folders named only through their files' paths still count as folders.
  for (const name of entries.keys()) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) folders.push(parts.slice(0, i).join('/'));
  }
  const readEntry = (name: string, limit?: number) =>
    new Promise<Uint8Array>((resolve, reject) => {
      const entry = entries.get(name);
      if (!entry) return reject(new Error(`${name}: not in ${file}`));
      zip.openReadStream(entry, (error, stream) => {
        if (error || !stream) return reject(error ?? new Error(`${name}: cannot be read`));
        const chunks: Buffer[] = [];
        let length = 0;
        stream.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          length += chunk.length;
          if (limit !== undefined && length >= limit) {
            stream.destroy();
            resolve(new Uint8Array(Buffer.concat(chunks).subarray(0, limit)));
          }
        });
        stream.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
        stream.on('error', (streamError: Error) => reject(streamError));
      });
    });
  return {
    description: file,
    files: [...entries.values()].map((e) => ({
      path: e.fileName.replace(/\\/g, '/'),
      bytes: e.uncompressedSize,
    })),
    folders: [...new Set(folders)],
    read: (name) => readEntry(name),
    readStart: (name, count) => readEntry(name, count),
    close: async () => zip.close(),
  };
}
