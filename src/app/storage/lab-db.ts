/**
 * The page's IndexedDB: learner drafts and the last report per exercise.
 *
 * Reports are validated when read back (DESIGN.md: "validated on every read"), so a record from
 * an older version or a damaged database shows as "no result" instead of breaking the page.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DatasetManifest } from '../../core/datasets/manifest';
import { ReportSchema, type Report } from '../../core/exercises/schema';

export interface StoredDraft {
  exerciseId: string;
  code: string;
  savedAt: string;
}

export interface StoredResult {
  exerciseId: string;
  report: Report;
  savedAt: string;
}

/** A dataset the learner imported in the page: its manifest; the files live in `importedDatasetFiles`. */
export interface StoredImportedDataset {
  id: string;
  manifest: DatasetManifest;
  /** Every file's stored size, summed. */
  bytes: number;
  savedAt: string;
}

export interface StoredDatasetFile {
  /** `<dataset id>/<file name>`. */
  key: string;
  datasetId: string;
  name: string;
  bytes: Uint8Array;
}

interface LabDbSchema extends DBSchema {
  drafts: { key: string; value: StoredDraft };
  results: { key: string; value: StoredResult };
  importedDatasets: { key: string; value: StoredImportedDataset };
  importedDatasetFiles: { key: string; value: StoredDatasetFile; indexes: { byDataset: string } };
}

export const labDatabaseName = 'cv-lab';
const databaseName = labDatabaseName;
/** 2: imported datasets. */
const databaseVersion = 2;

let database: Promise<IDBPDatabase<LabDbSchema>> | null = null;

function openLabDb(): Promise<IDBPDatabase<LabDbSchema>> {
  database ??= openDB<LabDbSchema>(databaseName, databaseVersion, {
    upgrade(db) {
      if (!db.objectStoreNames.contains('drafts')) db.createObjectStore('drafts', { keyPath: 'exerciseId' });
      if (!db.objectStoreNames.contains('results'))
        db.createObjectStore('results', { keyPath: 'exerciseId' });
      if (!db.objectStoreNames.contains('importedDatasets'))
        db.createObjectStore('importedDatasets', { keyPath: 'id' });
      if (!db.objectStoreNames.contains('importedDatasetFiles')) {
        const files = db.createObjectStore('importedDatasetFiles', { keyPath: 'key' });
        files.createIndex('byDataset', 'datasetId');
      }
    },
    // Another tab (or the lab worker) opening a newer version: let it, and reopen next time.
    blocking() {
      void database?.then((db) => db.close());
      database = null;
    },
  }).catch((error: unknown) => {
    database = null; // let a later call try again (e.g. after the user frees space)
    throw error;
  });
  return database;
}

/** Says what went wrong with storage in words a learner can act on. */
export function describeStorageError(error: unknown, doing: string): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  const detail = error instanceof Error ? error.message : String(error);
  if (name === 'QuotaExceededError') {
    return `Could not ${doing}: the browser's storage for this site is full. Your work is still in this tab; free some space (or export it) before closing the tab.`;
  }
  if (name === 'InvalidStateError' || name === 'SecurityError') {
    return `Could not ${doing}: this browser does not allow storage here (private mode?). Your work is still in this tab but will not survive a reload.`;
  }
  return `Could not ${doing}: ${detail}`;
}

export async function loadDraft(exerciseId: string): Promise<StoredDraft | undefined> {
  const db = await openLabDb();
  const draft = await db.get('drafts', exerciseId);
  return draft && typeof draft.code === 'string' ? draft : undefined;
}

export async function saveDraft(exerciseId: string, code: string): Promise<void> {
  const db = await openLabDb();
  await db.put('drafts', { exerciseId, code, savedAt: new Date().toISOString() });
}

export async function deleteDraft(exerciseId: string): Promise<void> {
  const db = await openLabDb();
  await db.delete('drafts', exerciseId);
}

function validResult(record: StoredResult | undefined): StoredResult | undefined {
  if (!record) return undefined;
  const parsed = ReportSchema.safeParse(record.report);
  return parsed.success ? { ...record, report: parsed.data } : undefined;
}

export async function loadAllResults(): Promise<StoredResult[]> {
  const db = await openLabDb();
  const records = await db.getAll('results');
  return records.map(validResult).filter((r): r is StoredResult => r !== undefined);
}

export async function saveResult(exerciseId: string, report: Report): Promise<StoredResult> {
  const db = await openLabDb();
  const record: StoredResult = { exerciseId, report, savedAt: new Date().toISOString() };
  await db.put('results', record);
  return record;
}

/** Makes sure the database exists at this version (the backup reads it by name). */
export async function ensureLabDb(): Promise<void> {
  await openLabDb();
}

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
