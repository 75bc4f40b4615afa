/**
 * Private test data for the set builder: a prepared dataset's test split, fetched from the app's
 * own `/datasets/<id>/` or picked as files (its `manifest.json` and test shards), embedded with the
 * core's `embedPrivateTest` after the loader has checked every shard's size and hash.
 */
import { fetchDatasetReader } from '../../core/datasets/fetch-reader';
import { loadDataset } from '../../core/datasets/load';
import { MANIFEST_FILE, parseManifest } from '../../core/datasets/manifest';
import type { DatasetFileReader } from '../../core/datasets/types';
import { embedPrivateTest, type PrivateTest } from '../../core/exercises/set';

async function embedFrom(read: DatasetFileReader): Promise<PrivateTest> {
  const files = new Map<string, Uint8Array>();
  const recording: DatasetFileReader = async (file, onProgress) => {
    const bytes = await read(file, onProgress);
    files.set(file, bytes);
    return bytes;
  };
  // Loading the test split verifies sizes and SHA-256 and that the shards decode.
  const dataset = await loadDataset(recording, { splits: ['test'] });
  return embedPrivateTest(dataset.manifest, files);
}

/** The test split of a dataset the app serves (`/datasets/<id>/`). */
export function privateTestFromServer(datasetId: string, origin: string): Promise<PrivateTest> {
  return embedFrom(fetchDatasetReader(new URL(`/datasets/${encodeURIComponent(datasetId)}/`, origin).href));
}

/** The test split from picked files: `manifest.json` and the test shards it names. */
export async function privateTestFromFiles(files: readonly File[]): Promise<PrivateTest> {
  const byName = new Map(files.map((f) => [f.name, f]));
  const manifestFile = byName.get(MANIFEST_FILE);
  if (!manifestFile) throw new Error(`pick the dataset's ${MANIFEST_FILE} together with its test shards`);
  parseManifest(await manifestFile.text());
  return embedFrom(async (name) => {
    const file = byName.get(name);
    if (!file) throw new Error(`${name} is missing: pick it together with ${MANIFEST_FILE}`);
    return new Uint8Array(await file.arrayBuffer());
  });
}
