/**
 * The `cv-lab` IndexedDB database: its name, version, stores and record shapes, and the one
 * function that opens it. The page (drafts, results, imported datasets) and the lab worker (reading
 * imported datasets) both open it through here, so they always agree on the schema.
 *
 * The name, the version and the stores are what existing users' data is stored under: changing
 * any of them needs a version bump with an upgrade step, never a rename.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DatasetManifest } from '../core/datasets/manifest';
import type { Report } from '../core/exercises/schema';
import type { HistoryEntry, SubmissionEnvironment } from '../core/exercises/submission';

export interface StoredDraft {
  exerciseId: string;
  code: string;
  savedAt: string;
}

/**
 * Read back through the app's results module, which validates every field (a record may be from an
 * older version: the fields after `savedAt` came later and are optional, so no version bump).
 */
export interface StoredResult {
  exerciseId: string;
  report: Report;
  savedAt: string;
  /** The code exactly as run: with `history` and `environment`, what "Export submission" needs later. */
  code?: string;
  history?: HistoryEntry[];
  environment?: SubmissionEnvironment;
  /** Whether the run's trained model is kept in this browser (`keptModelUrl`, src/storage/kept-models.ts). */
  modelKept?: boolean;
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

export interface LabDbSchema extends DBSchema {
  drafts: { key: string; value: StoredDraft };
  results: { key: string; value: StoredResult };
  importedDatasets: { key: string; value: StoredImportedDataset };
  importedDatasetFiles: { key: string; value: StoredDatasetFile; indexes: { byDataset: string } };
}

export const labDatabaseName = 'cv-lab';
/** 2: imported datasets. */
export const labDatabaseVersion = 2;

let database: Promise<IDBPDatabase<LabDbSchema>> | null = null;

/** The database, opened (and created or upgraded) once per page or worker and shared after that. */
export function openLabDb(): Promise<IDBPDatabase<LabDbSchema>> {
  database ??= openDB<LabDbSchema>(labDatabaseName, labDatabaseVersion, {
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

/** Makes sure the database exists at this version (the backup reads it by name). */
export async function ensureLabDb(): Promise<void> {
  await openLabDb();
}
