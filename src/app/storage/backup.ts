/**
 * Backup of everything this browser holds for CV Lab: every IndexedDB database of the origin
 * (`cv-lab`: drafts, results, imported datasets and whatever stores other parts of the app add;
 * `cv-lab-teams`: sets, attempts and exam clocks; `tensorflowjs`: trained models saved with
 * `indexeddb://`), discovered at run time, into one JSON
 * file; and the import of such a file, which merges and never deletes (see `mergeDecision`).
 */
import { openDB, type IDBPDatabase } from 'idb';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  decodeValue,
  encodeValue,
  mergeDecision,
  parseBackup,
  type Backup,
  type BackupDatabase,
  type BackupStore,
  type MergeDecision,
} from '../offline/backup-format';
import { exerciseOfKeptModel, tfjsModelsDatabaseName, tfjsModelStoreNames } from '../../storage/kept-models';
import { ensureLabDb, labDatabaseName } from '../../storage/lab-db';
import { teamsDatabaseName } from '../teams/teams-db';

/** Databases to look for where `indexedDB.databases()` is missing (older Firefox). */
const knownDatabases = [labDatabaseName, teamsDatabaseName, tfjsModelsDatabaseName];

async function databaseNames(): Promise<string[]> {
  if (typeof indexedDB.databases === 'function') {
    const list = await indexedDB.databases();
    return list.map((d) => d.name).filter((n): n is string => typeof n === 'string');
  }
  return knownDatabases;
}

async function exportDatabase(name: string): Promise<BackupDatabase> {
  const db = await openDB(name);
  try {
    const stores: BackupStore[] = [];
    for (const storeName of Array.from(db.objectStoreNames)) {
      const tx = db.transaction(storeName, 'readonly');
      const store = tx.store;
      const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()]);
      stores.push({
        name: storeName,
        keyPath: store.keyPath as string | string[] | null,
        autoIncrement: store.autoIncrement,
        indexes: Array.from(store.indexNames).map((indexName) => {
          const index = store.index(indexName);
          return {
            name: indexName,
            keyPath: index.keyPath as string | string[],
            unique: index.unique,
            multiEntry: index.multiEntry,
          };
        }),
        records: keys.map((key, i) => ({ key: encodeValue(key), value: encodeValue(values[i]) })),
      });
      await tx.done;
    }
    return { name, version: db.version, stores };
  } finally {
    db.close();
  }
}

/** Everything local, as the backup object (`JSON.stringify` it to save). */
export async function exportBackup(): Promise<Backup> {
  await ensureLabDb();
  const names = await databaseNames();
  const databases: BackupDatabase[] = [];
  for (const name of names.sort()) databases.push(await exportDatabase(name));
  return { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: new Date().toISOString(), databases };
}

/** Saves the backup as a download. */
export function downloadBackup(backup: Backup, fileName: string): void {
  const blob = new Blob([JSON.stringify(backup)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface StoreMergeSummary {
  database: string;
  store: string;
  new: number;
  updated: number;
  kept: number;
}

export interface ImportSummary {
  stores: StoreMergeSummary[];
  /** What could not be imported, one line each (a store this version does not have, ...). */
  skipped: string[];
}

async function openForImport(database: BackupDatabase, existing: string[]): Promise<IDBPDatabase> {
  if (database.name === labDatabaseName) await ensureLabDb();
  if (database.name === labDatabaseName || existing.includes(database.name)) return openDB(database.name);
  // A database this browser lacks (trained models on a fresh profile): create it as it was, at its
  // version, so its owner (tfjs) opens it without an upgrade.
  return openDB(database.name, database.version, {
    upgrade(db) {
      for (const store of database.stores) {
        const created = db.createObjectStore(store.name, {
          keyPath: store.keyPath ?? undefined,
          autoIncrement: store.autoIncrement,
        });
        for (const index of store.indexes) {
          created.createIndex(index.name, index.keyPath, {
            unique: index.unique,
            multiEntry: index.multiEntry,
          });
        }
      }
    },
  });
}

/**
 * An imported dataset's files carry no date of their own: they follow their dataset's record, so a
 * dataset is never left with its new manifest and its old shards.
 */
type DecisionOverride = (value: unknown, local: unknown) => MergeDecision | undefined;

async function importStore(
  db: IDBPDatabase,
  store: BackupStore,
  decided: (key: unknown, decision: MergeDecision) => void,
  override?: DecisionOverride,
): Promise<Omit<StoreMergeSummary, 'database' | 'store'>> {
  const counts = { new: 0, updated: 0, kept: 0 };
  const tx = db.transaction(store.name, 'readwrite');
  const inline = tx.store.keyPath !== null;
  for (const record of store.records) {
    const key = decodeValue(record.key) as IDBValidKey;
    const value = decodeValue(record.value);
    const local: unknown = await tx.store.get(key);
    const decision =
      (local !== undefined ? override?.(value, local) : undefined) ?? mergeDecision(local, value);
    decided(key, decision);
    counts[decision]++;
    if (decision !== 'kept') await (inline ? tx.store.put(value) : tx.store.put(value, key));
  }
  await tx.done;
  return counts;
}

/**
 * A kept model both browsers have (tfjs's records carry no `savedAt`) follows its exercise's result:
 * replaced when the backup's result was taken (new or newer), kept when the local result was; a model
 * whose result is not in the backup is decided as any other record.
 */
export function keptModelDecision(resultDecision: MergeDecision | undefined): MergeDecision | undefined {
  if (resultDecision === undefined) return undefined;
  return resultDecision === 'kept' ? 'kept' : 'updated';
}

/**
 * Imports a backup file's text. A malformed file throws before anything is written; the summary
 * says, per store, how many records were new, updated (the backup's copy was newer) or kept.
 */
export async function importBackup(text: string): Promise<ImportSummary> {
  const backup = parseBackup(text);
  // Decode everything once before writing anything, so a damaged value cannot leave half an import.
  for (const database of backup.databases) {
    for (const store of database.stores) {
      for (const record of store.records) {
        try {
          decodeValue(record.key);
          decodeValue(record.value);
        } catch (error) {
          throw new Error(
            `This backup is damaged: a record of ${database.name}/${store.name} cannot be read (${error instanceof Error ? error.message : error}). Nothing was imported.`,
          );
        }
      }
    }
  }
  const existing = await databaseNames();
  const summary: ImportSummary = { stores: [], skipped: [] };
  // What happened to each exercise's result: its kept model follows it (below), so the report on
  // screen and the model an export ships stay from the same run.
  const resultDecisions = new Map<unknown, MergeDecision>();
  const followResult: DecisionOverride = (value) =>
    keptModelDecision(
      resultDecisions.get(exerciseOfKeptModel((value as { modelPath?: unknown } | null)?.modelPath)),
    );
  // The lab's database first: the models' decisions depend on its results'.
  const databases = [...backup.databases].sort(
    (a, b) => Number(b.name === labDatabaseName) - Number(a.name === labDatabaseName),
  );
  for (const database of databases) {
    const db = await openForImport(database, existing);
    const datasetDecisions = new Map<unknown, MergeDecision>();
    const followDataset: DecisionOverride = (value) =>
      datasetDecisions.get((value as { datasetId?: unknown } | null)?.datasetId) === 'updated'
        ? 'updated'
        : 'kept';
    // Datasets before their files (see DecisionOverride).
    const stores = [...database.stores].sort(
      (a, b) => Number(a.name === 'importedDatasetFiles') - Number(b.name === 'importedDatasetFiles'),
    );
    try {
      for (const store of stores) {
        if (!db.objectStoreNames.contains(store.name)) {
          summary.skipped.push(
            `${database.name}/${store.name}: ${store.records.length} records kept out (this version of CV Lab has no such store)`,
          );
          continue;
        }
        const isLab = database.name === labDatabaseName;
        const isKeptModels =
          database.name === tfjsModelsDatabaseName &&
          (tfjsModelStoreNames as readonly string[]).includes(store.name);
        const counts = await importStore(
          db,
          store,
          (key, decision) => {
            if (isLab && store.name === 'importedDatasets') datasetDecisions.set(key, decision);
            if (isLab && store.name === 'results') resultDecisions.set(key, decision);
          },
          isLab && store.name === 'importedDatasetFiles'
            ? followDataset
            : isKeptModels
              ? followResult
              : undefined,
        );
        summary.stores.push({ database: database.name, store: store.name, ...counts });
      }
    } finally {
      db.close();
    }
  }
  return summary;
}
