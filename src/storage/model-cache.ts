/**
 * Pretrained model files in the Cache Storage (`MODELS_CACHE`), shared by the page ("Make
 * available offline", the datasets page's list), the service worker (which caches `/models/**` on
 * the way) and the lab worker's model reader (`model-reader.ts`).
 *
 * A file is keyed by the URL it is fetched from: `/models/<id>/<file>` on the app's origin for a
 * bundled model, next to the canonical `model.json` for a published one. A model counts as cached
 * only when its `model.json` and every weight file it names are there (`model.json` is written
 * last, see `cache-write.ts`).
 *
 * Published models have no published hashes: their SHA-256 are trusted on first use and recorded
 * here, in the same cache, so that the page's download and the worker's load enforce the same
 * record, and removing the model forgets it (the next download is a new first use).
 */
import { sha256Hex } from '../core/shared/bytes';
import {
  ModelFileError,
  findPretrained,
  memoryTrustStore,
  type HashTrustStore,
  type PretrainedEntry,
} from '../core/models/registry';
import { MODELS_CACHE } from './cache-names';
import { cachedResponse, type CacheFile } from './cache-write';

export const MODEL_JSON = 'model.json';

/** The URL of a model's `model.json`; its other files are read relative to it. */
export function modelJsonUrl(entry: PretrainedEntry, origin: string): string {
  return entry.source.kind === 'bundled'
    ? new URL(`/${entry.source.path}${MODEL_JSON}`, origin).href
    : entry.source.url;
}

export function modelFileUrl(entry: PretrainedEntry, file: string, origin: string): string {
  return new URL(file, modelJsonUrl(entry, origin)).href;
}

/** The folder (URL ending in `/`) that holds a model's files: every cached file under it is the model's. */
export function modelFolderUrl(entry: PretrainedEntry, origin: string): string {
  return new URL('.', modelJsonUrl(entry, origin)).href;
}

/** The weight files a `model.json` names, in order; throws a `ModelFileError` when it is malformed. */
export function modelWeightPaths(modelId: string, modelJson: Uint8Array): string[] {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(modelJson));
  } catch {
    throw new ModelFileError(MODEL_JSON, `model ${modelId}: model.json is not JSON`);
  }
  const manifest = (value as { weightsManifest?: unknown } | null)?.weightsManifest;
  const paths = Array.isArray(manifest)
    ? manifest.flatMap((group) => ((group as { paths?: unknown })?.paths as unknown[]) ?? [])
    : null;
  if (!paths || !paths.every((p): p is string => typeof p === 'string')) {
    throw new ModelFileError(MODEL_JSON, `model ${modelId}: model.json has no weightsManifest with paths`);
  }
  for (const path of paths) {
    if (path.includes('..') || path.startsWith('/') || /^[a-z]+:/i.test(path)) {
      throw new ModelFileError(
        MODEL_JSON,
        `model ${modelId}: weight path ${JSON.stringify(path)} is not a plain relative path`,
      );
    }
  }
  return paths;
}

/**
 * Checks files' SHA-256 the way `loadPretrained` does: against the registry's hashes (bundled) or
 * the recorded first-use ones (published); `trusted` undefined means a first use (nothing to check).
 * Throws a `ModelFileError` naming the first file that differs.
 */
export function checkModelHashes(
  entry: PretrainedEntry,
  hashes: Readonly<Record<string, string>>,
  trusted: Readonly<Record<string, string>> | undefined,
): void {
  if (!trusted) return;
  for (const [path, hash] of Object.entries(hashes)) {
    const expected = trusted[path];
    if (expected === hash) continue;
    throw new ModelFileError(
      path,
      expected
        ? `model ${entry.id}: ${path} has SHA-256 ${hash}, expected ${expected}: the file was changed or corrupted` +
            (entry.sha256
              ? ''
              : ' since it was first fetched (remove the model\u2019s offline copy to trust the new file)')
        : `model ${entry.id}: ${path} is not among the files recorded for this model`,
    );
  }
}

/** SHA-256 of each file, by path. */
export async function hashModelFiles(
  files: ReadonlyMap<string, Uint8Array>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [path, bytes] of files) out[path] = await sha256Hex(bytes);
  return out;
}

/**
 * The cache files for a complete set of model files: the weights, the trust record (a published
 * model's first use) and `model.json` last, ready for `writeAllOrNothing`.
 */
export function modelCacheFiles(
  entry: PretrainedEntry,
  files: ReadonlyMap<string, Uint8Array>,
  origin: string,
  firstUseHashes?: Record<string, string>,
): CacheFile[] {
  const modelJson = files.get(MODEL_JSON);
  if (!modelJson) throw new ModelFileError(MODEL_JSON, `model ${entry.id}: model.json is missing`);
  const out: CacheFile[] = [];
  for (const [path, bytes] of files) {
    if (path === MODEL_JSON) continue;
    out.push({ url: modelFileUrl(entry, path, origin), bytes, contentType: 'application/octet-stream' });
  }
  if (firstUseHashes) out.push(trustRecordFile(entry.id, origin, firstUseHashes));
  out.push({
    url: modelFileUrl(entry, MODEL_JSON, origin),
    bytes: modelJson,
    contentType: 'application/json',
  });
  return out;
}

/** Where a published model's first-use hashes are kept (a key of the models cache, never fetched). */
export function trustRecordUrl(modelId: string, origin: string): string {
  return new URL(`/.cv-lab/model-trust/${encodeURIComponent(modelId)}.json`, origin).href;
}

export function trustRecordFile(modelId: string, origin: string, hashes: Record<string, string>): CacheFile {
  return {
    url: trustRecordUrl(modelId, origin),
    bytes: new TextEncoder().encode(JSON.stringify({ modelId, sha256: hashes })),
    contentType: 'application/json',
  };
}

function cacheStorageAvailable(): boolean {
  return typeof caches !== 'undefined';
}

async function readTrustRecord(modelId: string, origin: string): Promise<Record<string, string> | undefined> {
  const response = await caches.match(trustRecordUrl(modelId, origin), { cacheName: MODELS_CACHE });
  if (!response) return undefined;
  try {
    const record = (await response.json()) as { sha256?: unknown };
    const hashes = record.sha256;
    if (!hashes || typeof hashes !== 'object') return undefined;
    const entries = Object.entries(hashes as Record<string, unknown>);
    return entries.every(([, v]) => typeof v === 'string') ? (hashes as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The trust store of published models' hashes, kept in the models cache; without Cache Storage
 * (or when it fails) it remembers for the life of the page or worker only.
 */
export function modelTrustStore(origin: string): HashTrustStore {
  const memory = memoryTrustStore();
  return {
    async get(modelId) {
      const remembered = await memory.get(modelId);
      if (remembered || !cacheStorageAvailable()) return remembered;
      return readTrustRecord(modelId, origin).catch(() => undefined);
    },
    async remember(modelId, hashes) {
      await memory.remember(modelId, hashes);
      if (!cacheStorageAvailable()) return;
      // A full quota must not fail the run that loaded the model: the record stays in memory.
      const file = trustRecordFile(modelId, origin, hashes);
      const cache = await caches.open(MODELS_CACHE).catch(() => undefined);
      await cache
        ?.put(trustRecordUrl(modelId, origin), cachedResponse(file.bytes, file.contentType))
        .catch(() => undefined);
    },
  };
}

/** One cached file of a model, or undefined. */
export async function readCachedModelFile(
  entry: PretrainedEntry,
  file: string,
  origin: string,
): Promise<Uint8Array | undefined> {
  if (!cacheStorageAvailable()) return undefined;
  const cached = await caches.match(modelFileUrl(entry, file, origin), {
    cacheName: MODELS_CACHE,
    ignoreVary: true,
  });
  return cached ? new Uint8Array(await cached.arrayBuffer()) : undefined;
}

export interface ModelCachedState {
  /** `model.json` and every weight file it names present. */
  complete: boolean;
  /** Bytes of the model's files present. */
  cachedBytes: number;
}

async function responseBytes(response: Response): Promise<number> {
  const length = Number(response.headers.get('Content-Length'));
  return Number.isInteger(length) && length > 0 ? length : (await response.arrayBuffer()).byteLength;
}

/** What of a model the models cache holds: every file under its folder counts toward the size. */
export async function cachedModelState(entry: PretrainedEntry, origin: string): Promise<ModelCachedState> {
  if (!cacheStorageAvailable()) return { complete: false, cachedBytes: 0 };
  const cache = await caches.open(MODELS_CACHE);
  const prefix = modelFolderUrl(entry, origin);
  const present = new Set<string>();
  let cachedBytes = 0;
  for (const request of await cache.keys()) {
    if (!request.url.startsWith(prefix)) continue;
    present.add(request.url.slice(prefix.length));
    const response = await cache.match(request, { ignoreVary: true });
    if (response) cachedBytes += await responseBytes(response);
  }
  let complete = false;
  const modelJson = present.has(MODEL_JSON)
    ? await readCachedModelFile(entry, MODEL_JSON, origin)
    : undefined;
  if (modelJson) {
    try {
      complete = modelWeightPaths(entry.id, modelJson).every((path) => present.has(path));
    } catch {
      complete = false;
    }
  }
  return { complete, cachedBytes };
}

/** Removes every cached file of a model, and a published model's recorded hashes. */
export async function removeModelFromCache(entry: PretrainedEntry, origin: string): Promise<void> {
  if (!cacheStorageAvailable()) return;
  const cache = await caches.open(MODELS_CACHE);
  const prefix = modelFolderUrl(entry, origin);
  const keys = (await cache.keys()).filter((request) => request.url.startsWith(prefix));
  // model.json first: whatever happens next, the model no longer counts as cached.
  await cache.delete(modelFileUrl(entry, MODEL_JSON, origin));
  await Promise.all(keys.map((request) => cache.delete(request)));
  await cache.delete(trustRecordUrl(entry.id, origin));
}

/** The registry entry, or an error naming the known ids. */
export function pretrainedEntry(modelId: string): PretrainedEntry {
  const entry = findPretrained(modelId);
  if (!entry) throw new Error(`no pretrained model "${modelId}"`);
  return entry;
}
