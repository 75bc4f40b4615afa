/**
 * The lab worker's pretrained-model reader: the network first (`fetchModelReader`), the models
 * cache when the network fails.
 *
 * A bundled model (`/models/<id>/`, same origin) is cached on the way by the service worker. A
 * published one is cross-origin, which the service worker leaves alone, so this reader caches it:
 * once `model.json` and every weight file it names came from the network, and their hashes agree
 * with the recorded first-use ones (when there are any), all of them are written at once
 * (`writeAllOrNothing`). A cache that cannot be written (full quota) never fails the load.
 * The hashes themselves are checked by `loadPretrained`, whichever way the bytes came.
 */
import { fetchModelReader } from '../core/models/fetch-reader';
import type { HashTrustStore, ModelFileReader, PretrainedEntry } from '../core/models/registry';
import { MODELS_CACHE } from './cache-names';
import { writeAllOrNothing } from './cache-write';
import {
  MODEL_JSON,
  cachedModelState,
  checkModelHashes,
  hashModelFiles,
  modelCacheFiles,
  modelWeightPaths,
  pretrainedEntry,
  readCachedModelFile,
} from './model-cache';

export interface LabModelReaderOptions {
  /** The first-use hashes of published models (`modelTrustStore`), checked before caching. */
  trust?: HashTrustStore;
  /** The network reader (tests stub it); default `fetchModelReader`. */
  network?: ModelFileReader;
}

export function labModelReader(
  modelId: string,
  origin: string,
  options: LabModelReaderOptions = {},
): ModelFileReader {
  const entry = pretrainedEntry(modelId);
  const network = options.network ?? fetchModelReader(modelId, origin);
  const keep = entry.source.kind === 'url' ? keepWhenComplete(entry, origin, options.trust) : null;
  return async (file) => {
    let bytes: Uint8Array;
    try {
      bytes = await network(file);
    } catch (error) {
      const cached = await readCachedModelFile(entry, file, origin).catch(() => undefined);
      if (!cached) throw error;
      return cached;
    }
    await keep?.(file, bytes);
    return bytes;
  };
}

/** Collects a published model's files from the network and caches them once all are in. */
function keepWhenComplete(
  entry: PretrainedEntry,
  origin: string,
  trust: HashTrustStore | undefined,
): (file: string, bytes: Uint8Array) => Promise<void> {
  const fetched = new Map<string, Uint8Array>();
  let expected: string[] | null = null;
  let done = false;
  return async (file, bytes) => {
    if (done || typeof caches === 'undefined') return;
    fetched.set(file, bytes);
    if (file === MODEL_JSON) {
      try {
        expected = [...modelWeightPaths(entry.id, bytes), MODEL_JSON];
      } catch {
        done = true; // loadPretrained says what is wrong with it
        return;
      }
    }
    if (!expected || !expected.every((path) => fetched.has(path))) return;
    done = true;
    try {
      const files = new Map(expected.map((path) => [path, fetched.get(path)!] as const));
      const hashes = await hashModelFiles(files);
      const trusted = entry.sha256 ?? (await trust?.get(entry.id));
      checkModelHashes(entry, hashes, trusted);
      // Files that match the record and a complete cached copy: that copy is these files already,
      // and rewriting it would put it at risk (a full quota mid-write) for nothing.
      if (trusted && (await cachedModelState(entry, origin)).complete) return;
      await writeAllOrNothing(await caches.open(MODELS_CACHE), modelCacheFiles(entry, files, origin));
    } catch {
      // Changed files are refused by loadPretrained; a full quota leaves the model online only.
    }
  };
}
