/**
 * Node's side of the pretrained-model registry: where a model's files come from on disk or the
 * network, and where trust-on-first-use hashes are kept.
 *
 * - a `bundled` model is read from `public/models/<id>/` (or `$CV_LAB_MODELS`);
 * - a `url` model is read from the cache (`$CV_LAB_MODEL_CACHE`, else `<repo>/.cache/models/<id>/`)
 *   or, when missing there, fetched from its URL (or `baseUrl`, for tests and mirrors) and cached.
 *   The hashes are checked by `loadPretrained` in core, so a tampered cache is refused too.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  findPretrained,
  type HashTrustStore,
  type ModelFileReader,
  type PretrainedEntry,
} from '../../core/models/registry';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The folder holding bundled models: `$CV_LAB_MODELS`, else `<repo>/public/models`. */
export function bundledModelsRoot(): string {
  return path.resolve(process.env.CV_LAB_MODELS ?? path.join(repoRoot, 'public/models'));
}

/** The download cache of `url` models: `$CV_LAB_MODEL_CACHE`, else `<repo>/.cache/models`. */
export function modelCacheRoot(): string {
  return path.resolve(process.env.CV_LAB_MODEL_CACHE ?? path.join(repoRoot, '.cache/models'));
}

export interface NodeModelReaderOptions {
  /** Registry entry to use instead of the registry's own (tests). */
  entry?: PretrainedEntry;
  cacheRoot?: string;
  bundledRoot?: string;
  /** Fetch a `url` model's files from this base URL instead of the entry's (tests, mirrors). */
  baseUrl?: string;
  /** Log a line per download. */
  log?: (line: string) => void;
}

function checkRelativePath(file: string): void {
  if (file.includes('..') || path.isAbsolute(file) || file.includes('\\')) {
    throw new Error(`"${file}" is not a file inside the model's folder`);
  }
}

/** The file reader for a registered model id, as `loadPretrained` wants it. */
export function nodeModelReader(id: string, options: NodeModelReaderOptions = {}): ModelFileReader {
  const entry = options.entry ?? findPretrained(id);
  if (!entry) throw new Error(`no pretrained model "${id}"`);
  const source = entry.source;
  if (source.kind === 'bundled') {
    const folder = path.join(options.bundledRoot ?? bundledModelsRoot(), entry.id);
    return async (file) => {
      checkRelativePath(file);
      try {
        return new Uint8Array(await readFile(path.join(folder, file)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`missing from ${folder}`);
        throw error;
      }
    };
  }
  const cacheFolder = path.join(options.cacheRoot ?? modelCacheRoot(), entry.id);
  const base = options.baseUrl ?? source.url.slice(0, source.url.lastIndexOf('/') + 1);
  return async (file) => {
    checkRelativePath(file);
    const cached = path.join(cacheFolder, 'files', file);
    try {
      return new Uint8Array(await readFile(cached));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const url = new URL(file, base.endsWith('/') ? base : `${base}/`).href;
    options.log?.(`downloading ${url}`);
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      throw new Error(
        `cannot download ${url} (offline?): ${(error as Error).message}; ` +
          `run \`npx cv-lab models fetch ${entry.id}\` while online to keep it in ${cacheFolder}`,
      );
    }
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    await mkdir(path.dirname(cached), { recursive: true });
    // Write then rename, so an interrupted download never leaves half a file in the cache.
    await writeFile(`${cached}.part`, bytes);
    await rename(`${cached}.part`, cached);
    return bytes;
  };
}

/** Trust-on-first-use hashes in `<cache>/<id>/trusted-sha256.json`. */
export function fileTrustStore(cacheRoot = modelCacheRoot()): HashTrustStore {
  const file = (id: string) => path.join(cacheRoot, id, 'trusted-sha256.json');
  return {
    async get(id) {
      try {
        return JSON.parse(await readFile(file(id), 'utf8')) as Record<string, string>;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new Error(`cannot read ${file(id)}: ${(error as Error).message}`);
      }
    },
    async remember(id, hashes) {
      await mkdir(path.dirname(file(id)), { recursive: true });
      await writeFile(file(id), `${JSON.stringify(hashes, null, 2)}\n`);
    },
  };
}
