/**
 * The lab worker's dataset reader: a dataset imported in the page is read from IndexedDB; any
 * other from the server, and from the Cache Storage when the network is gone (the service worker
 * answers from the cache too, but a worker it does not control would miss it).
 */
import { DatasetError } from '../core/datasets/errors';
import { fetchDatasetReader } from '../core/datasets/fetch-reader';
import type { DatasetFileReader } from '../core/datasets/types';
import { DATASETS_CACHE } from './cache-names';
import { hasImportedDataset, loadImportedDatasetFile } from './imported-datasets';
export function labDatasetReader(datasetId: string, baseUrl: string): DatasetFileReader {
  const network = fetchDatasetReader(baseUrl);
  let imported: Promise<boolean> | null = null;
  return async (path, onProgress) => {
    imported ??= hasImportedDataset(datasetId).catch(() => false);
    if (await imported) {
      const bytes = await loadImportedDatasetFile(datasetId, path);
      if (!bytes)
        throw new DatasetError(path, `missing from the imported dataset ${datasetId} in this browser`);
      onProgress?.(bytes.length, bytes.length);
      return bytes;
    }
    try {
      return await network(path, onProgress);
    } catch (error) {
      const cached =
        typeof caches === 'undefined'
          ? undefined
          : await caches.match(new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href, {
              cacheName: DATASETS_CACHE,
              ignoreVary: true,
            });
      if (!cached) throw error;
      const bytes = new Uint8Array(await cached.arrayBuffer());
      onProgress?.(bytes.length, bytes.length);
      return bytes;
    }
  };
}
