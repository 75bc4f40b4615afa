/**
 * "Make available offline" for a pretrained model: downloads `model.json` and every weight file it
 * names, checks their SHA-256 the way the lab worker's loader does (the registry's hashes for a
 * bundled model; for a published one the hashes recorded on its first use, or, on this first use,
 * records them), and writes the models cache only when every file passed, all or nothing
 * (`writeAllOrNothing`): a failure, a full quota included, leaves nothing half-written.
 */
import type { PretrainedEntry } from '../../core/models/registry';
import { MODELS_CACHE } from '../../storage/cache-names';
import { writeAllOrNothing } from '../../storage/cache-write';
import {
  MODEL_JSON,
  checkModelHashes,
  hashModelFiles,
  modelCacheFiles,
  modelFileUrl,
  modelTrustStore,
  modelWeightPaths,
} from '../../storage/model-cache';
import { downloadFile, type DownloadProgress } from './offline-download';

export interface ModelDownloadOptions {
  /** The size the build's models index gives (bundled models), for the progress bar. */
  expectedBytes?: number;
  signal?: AbortSignal;
  origin?: string;
}

/** Downloads, verifies and caches a model; returns the bytes cached. Throws, having written nothing. */
export async function makeModelAvailableOffline(
  entry: PretrainedEntry,
  onProgress: (progress: DownloadProgress) => void,
  { expectedBytes = 0, signal, origin = location.origin }: ModelDownloadOptions = {},
): Promise<number> {
  const files = new Map<string, Uint8Array>();
  let done = 0;
  const fetchFile = async (path: string) => {
    const bytes = await downloadFile(
      modelFileUrl(entry, path, origin),
      (loaded) =>
        onProgress({ loaded: done + loaded, total: Math.max(expectedBytes, done + loaded), file: path }),
      signal,
    );
    done += bytes.length;
    return bytes;
  };
  const modelJson = await fetchFile(MODEL_JSON);
  const weightPaths = modelWeightPaths(entry.id, modelJson);
  for (const path of weightPaths) files.set(path, await fetchFile(path));
  files.set(MODEL_JSON, modelJson);

  const hashes = await hashModelFiles(files);
  const trust = modelTrustStore(origin);
  const recorded = entry.sha256 ? undefined : await trust.get(entry.id);
  checkModelHashes(entry, hashes, entry.sha256 ?? recorded);
  const firstUse = !entry.sha256 && !recorded ? hashes : undefined;
  await writeAllOrNothing(await caches.open(MODELS_CACHE), modelCacheFiles(entry, files, origin, firstUse));
  return done;
}
