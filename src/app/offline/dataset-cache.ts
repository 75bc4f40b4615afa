/**
 * Server datasets in the Cache Storage ("Make available offline"): the same cache the service
 * worker fills when a run fetches a dataset, keyed by the file's URL under `/datasets/<id>/`.
 *
 * A download verifies each shard's (and the sample sheet's: `storedFiles`) size and SHA-256 before
 * caching it, writes the shards first and the manifest last, and when anything fails (a full quota
 * included) puts back what was cached before: a dataset counts as cached only when its manifest and
 * every file it lists are there, and a failed download never costs a copy cached earlier. Shards
 * are written as they arrive (a dataset can be large) through a `cacheBatch` (`src/storage/cache-write.ts`).
 */
import { sha256Hex } from '../../core/shared/bytes';
import {
  MANIFEST_FILE,
  parseManifest,
  storedFiles,
  type DatasetManifest,
} from '../../core/datasets/manifest';
import { DATASETS_CACHE } from '../../storage/cache-names';
import { cacheBatch } from '../../storage/cache-write';
import { downloadFile as download, type DownloadProgress } from './offline-download';

export { describeCacheError, type DownloadProgress } from './offline-download';

export function datasetFileUrl(datasetId: string, file: string, origin = location.origin): string {
  return new URL(`/datasets/${encodeURIComponent(datasetId)}/${file}`, origin).href;
}

export interface CachedState {
  /** Manifest and every shard (and the sample sheet it lists) present. */
  complete: boolean;
  /** Bytes of the files present. */
  cachedBytes: number;
}

export function cacheStorageAvailable(): boolean {
  return typeof caches !== 'undefined';
}

async function readCachedManifest(cache: Cache, datasetId: string): Promise<DatasetManifest | undefined> {
  const response = await cache.match(datasetFileUrl(datasetId, MANIFEST_FILE), { ignoreVary: true });
  if (!response) return undefined;
  try {
    return parseManifest(await response.text());
  } catch {
    return undefined;
  }
}

export async function cachedState(datasetId: string): Promise<CachedState> {
  if (!cacheStorageAvailable()) return { complete: false, cachedBytes: 0 };
  const cache = await caches.open(DATASETS_CACHE);
  const manifest = await readCachedManifest(cache, datasetId);
  const keys = await cache.keys();
  const prefix = datasetFileUrl(datasetId, '');
  let cachedBytes = 0;
  const present = new Set<string>();
  for (const request of keys) {
    if (!request.url.startsWith(prefix)) continue;
    const name = request.url.slice(prefix.length);
    present.add(name);
    const shard = manifest ? storedFiles(manifest).find((s) => s.file === name) : undefined;
    cachedBytes += shard?.bytes ?? 0;
  }
  const complete = manifest !== undefined && storedFiles(manifest).every((shard) => present.has(shard.file));
  return { complete, cachedBytes };
}

/**
 * Downloads, verifies and caches every file of a server dataset. Throws (after putting back
 * what was cached before) on any failure; `describeCacheError` turns the error into a message.
 */
export async function makeAvailableOffline(
  datasetId: string,
  onProgress: (progress: DownloadProgress) => void,
  signal?: AbortSignal,
): Promise<DatasetManifest> {
  const manifestBytes = await download(datasetFileUrl(datasetId, MANIFEST_FILE), () => undefined, signal);
  const manifest = parseManifest(new TextDecoder().decode(manifestBytes));
  if (manifest.id !== datasetId) throw new Error(`its manifest names a different dataset (${manifest.id})`);
  const shards = storedFiles(manifest);
  const total = shards.reduce((sum, shard) => sum + shard.bytes, 0);
  const cache = await caches.open(DATASETS_CACHE);
  const manifestUrl = datasetFileUrl(datasetId, MANIFEST_FILE);
  const batch = cacheBatch(cache);
  let done = 0;
  try {
    // The manifest goes out first: a dataset whose manifest is missing is never taken as cached.
    await batch.remove(manifestUrl);
    for (const shard of shards) {
      const url = datasetFileUrl(datasetId, shard.file);
      const bytes = await download(
        url,
        (loaded) => onProgress({ loaded: done + Math.min(loaded, shard.bytes), total, file: shard.file }),
        signal,
      );
      if (bytes.length !== shard.bytes) {
        throw new Error(`${shard.file} is ${bytes.length} bytes, its manifest says ${shard.bytes}`);
      }
      if ((await sha256Hex(bytes)) !== shard.sha256) {
        throw new Error(`${shard.file} does not match its SHA-256 in the manifest (corrupt download?)`);
      }
      await batch.put({ url, bytes, contentType: 'application/octet-stream' });
      done += shard.bytes;
      onProgress({ loaded: done, total, file: shard.file });
    }
    await batch.put({ url: manifestUrl, bytes: manifestBytes, contentType: 'application/json' });
    return manifest;
  } catch (error) {
    await batch.rollback();
    throw error;
  }
}

/** Removes every cached file of a dataset. */
export async function removeFromCache(datasetId: string): Promise<void> {
  if (!cacheStorageAvailable()) return;
  const cache = await caches.open(DATASETS_CACHE);
  const prefix = datasetFileUrl(datasetId, '');
  const keys = (await cache.keys()).filter((request) => request.url.startsWith(prefix));
  await Promise.all(keys.map((request) => cache.delete(request)));
}
