/**
 * Datasets the learner imported in the page, kept in the `cv-lab` database: the page saves, lists
 * and deletes them; the lab worker reads their files (see `dataset-reader.ts`).
 */
import type { DatasetManifest } from '../core/datasets/manifest';
import { openLabDb, type StoredImportedDataset } from './lab-db';

export async function listImportedDatasets(): Promise<StoredImportedDataset[]> {
  const db = await openLabDb();
  return db.getAll('importedDatasets');
}

/** One file of an imported dataset, or undefined when there is no such dataset or file. */
export async function loadImportedDatasetFile(
  datasetId: string,
  name: string,
): Promise<Uint8Array | undefined> {
  const db = await openLabDb();
  return (await db.get('importedDatasetFiles', `${datasetId}/${name}`))?.bytes;
}

export async function hasImportedDataset(datasetId: string): Promise<boolean> {
  const db = await openLabDb();
  return (await db.getKey('importedDatasets', datasetId)) !== undefined;
}

/**
 * Saves a whole dataset in one transaction: every file and the manifest record land together or
 * not at all (a full quota aborts it and leaves nothing behind). Replaces a dataset of that id.
 */
export async function saveImportedDataset(
  manifest: DatasetManifest,
  files: { name: string; bytes: Uint8Array }[],
): Promise<StoredImportedDataset> {
  const db = await openLabDb();
  const tx = db.transaction(['importedDatasets', 'importedDatasetFiles'], 'readwrite');
  const fileStore = tx.objectStore('importedDatasetFiles');
  const record: StoredImportedDataset = {
    id: manifest.id,
    manifest,
    bytes: files.reduce((sum, file) => sum + file.bytes.length, 0),
    savedAt: new Date().toISOString(),
  };
  const writes: Promise<unknown>[] = [];
  for (const key of await fileStore.index('byDataset').getAllKeys(manifest.id))
    writes.push(fileStore.delete(key));
  for (const file of files) {
    writes.push(
      fileStore.put({
        key: `${manifest.id}/${file.name}`,
        datasetId: manifest.id,
        name: file.name,
        bytes: file.bytes,
      }),
    );
  }
  writes.push(tx.objectStore('importedDatasets').put(record));
  await Promise.all([...writes, tx.done]);
  return record;
}

export async function deleteImportedDataset(datasetId: string): Promise<void> {
  const db = await openLabDb();
  const tx = db.transaction(['importedDatasets', 'importedDatasetFiles'], 'readwrite');
  const fileStore = tx.objectStore('importedDatasetFiles');
  const writes: Promise<unknown>[] = [tx.objectStore('importedDatasets').delete(datasetId)];
  for (const key of await fileStore.index('byDataset').getAllKeys(datasetId))
    writes.push(fileStore.delete(key));
  await Promise.all([...writes, tx.done]);
}
