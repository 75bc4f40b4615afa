/**
 * Backup of everything this browser holds for CV Lab: every IndexedDB database of the origin
 * (`cv-lab`: drafts, results, imported datasets and whatever stores other parts of the app add;
 * `cv-lab-teams`: sets, attempts and exam clocks; `cv-lab-roster`: the lead's rosters and the set
 * builder's draft; `tensorflowjs`: trained models saved with
 * `indexeddb://`), discovered at run time, into one JSON
 * file; and the import of such a file, which merges and never deletes (see `mergeDecision`), all or
 * nothing (see `importBackup`).
 */
import { openDB, type IDBPDatabase } from 'idb';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  encodeValue,
  mergeDecision,
  parseBackup,
  type Backup,
  type BackupDatabase,
  type BackupStore,
  type MergeDecision,
} from './backup-format';
import { checkBackup, knownDatabases, type CheckedDatabase } from './backup-records';
import { exerciseOfKeptModel, tfjsModelsDatabaseName, tfjsModelStoreNames } from '../../storage/kept-models';
import { ensureLabDb, labDatabaseName } from '../../storage/lab-db';
import { ensureTeamsDb, teamsDatabaseName } from './teams-db';
import { errorMessage } from '../../core/shared/errors';
import { downloadText } from '../download';
import { ensureRosterDb, rosterDatabaseName } from './roster-db';

async function databaseNames(): Promise<string[]> {
  if (typeof indexedDB.databases === 'function') {
    const list = await indexedDB.databases();
    return list.map((d) => d.name).filter((n): n is string => typeof n === 'string');
  }
  // `indexedDB.databases()` is missing (older Firefox): the ones the app keeps.
  return Object.keys(knownDatabases);
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
  // Only the databases an import accepts (`knownDatabases`): a backup always imports where it was made.
  const names = (await databaseNames()).filter((name) => name in knownDatabases);
  const databases: BackupDatabase[] = [];
  for (const name of names.sort()) databases.push(await exportDatabase(name));
  return { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: new Date().toISOString(), databases };
}

/** Saves the backup as a download. */
export function downloadBackup(backup: Backup, fileName: string): void {
  downloadText(fileName, JSON.stringify(backup));
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

/** A database opened to import into, and whether the import created it (a rollback deletes it then). */
interface ImportTarget {
  db: IDBPDatabase;
  created: boolean;
}

async function openForImport(name: string, existing: string[]): Promise<ImportTarget> {
  // The app's own databases are created and upgraded by their owners, never from a file.
  if (name === labDatabaseName) await ensureLabDb();
  if (name === teamsDatabaseName) await ensureTeamsDb();
  if (name === rosterDatabaseName) await ensureRosterDb();
  const own = [labDatabaseName, teamsDatabaseName, rosterDatabaseName];
  if (own.includes(name) || existing.includes(name)) {
    return { db: await openDB(name), created: false };
  }
  // tfjs's models on a fresh profile: created as tfjs creates it, so tfjs opens it without an upgrade.
  const known = knownDatabases[name];
  const db = await openDB(name, known.version, {
    upgrade(created) {
      for (const [storeName, store] of Object.entries(known.stores)) {
        created.createObjectStore(storeName, { keyPath: store.keyPath });
      }
    },
  });
  return { db, created: true };
}

function keyOf(value: unknown, keyPath: string | string[]): IDBValidKey {
  const record = value as Record<string, IDBValidKey>;
  return Array.isArray(keyPath) ? keyPath.map((part) => record[part]) : record[keyPath];
}

/** A record the import wrote, and what was there before it (undefined: nothing), to put it back. */
interface UndoEntry {
  store: string;
  key: IDBValidKey;
  previous: unknown;
}

/**
 * An imported dataset's files carry no date of their own: they follow their dataset's record, so a
 * dataset is never left with its new manifest and its old shards.
 */
type DecisionOverride = (value: unknown, local: unknown) => MergeDecision | undefined;

interface StoreWrite {
  store: CheckedDatabase['stores'][number];
  decided?: (key: IDBValidKey, decision: MergeDecision) => void;
  override?: DecisionOverride;
}

/**
 * Writes a database's checked records in one transaction: all of them or, on any failure, none.
 * Resolves with each store's counts and what to undo should a later database fail.
 */
async function writeDatabase(
  db: IDBPDatabase,
  writes: StoreWrite[],
): Promise<{ counts: Omit<StoreMergeSummary, 'database'>[]; undo: UndoEntry[] }> {
  const counts: Omit<StoreMergeSummary, 'database'>[] = [];
  const undo: UndoEntry[] = [];
  if (writes.length === 0) return { counts, undo };
  const tx = db.transaction(
    writes.map((w) => w.store.name),
    'readwrite',
  );
  try {
    for (const { store, decided, override } of writes) {
      const objectStore = tx.objectStore(store.name);
      const keyPath = objectStore.keyPath as string | string[];
      const count = { store: store.name, new: 0, updated: 0, kept: 0 };
      for (const { value } of store.records) {
        const key = keyOf(value, keyPath);
        const local: unknown = await objectStore.get(key);
        const decision =
          (local !== undefined ? override?.(value, local) : undefined) ?? mergeDecision(local, value);
        decided?.(key, decision);
        count[decision]++;
        if (decision === 'kept') continue;
        await objectStore.put(value);
        undo.push({ store: store.name, key, previous: local });
      }
      counts.push(count);
    }
    await tx.done;
  } catch (error) {
    // A failed request aborts the transaction already; an error of ours must abort it too.
    try {
      tx.abort();
    } catch {
      // already aborted
    }
    throw error;
  }
  return { counts, undo };
}

/** Puts a database back as it was before the import: in one transaction, or deletes it if the import made it. */
async function undoDatabase(name: string, created: boolean, undo: UndoEntry[]): Promise<void> {
  if (created) {
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error);
    });
    return;
  }
  if (undo.length === 0) return;
  const db = await openDB(name);
  try {
    const tx = db.transaction([...new Set(undo.map((u) => u.store))], 'readwrite');
    for (const entry of [...undo].reverse()) {
      const store = tx.objectStore(entry.store);
      await (entry.previous === undefined ? store.delete(entry.key) : store.put(entry.previous));
    }
    await tx.done;
  } finally {
    db.close();
  }
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
 * Imports a backup file's text, all or nothing. Every record is decoded and checked against the
 * app's schemas, and every database's version against the one this app reads (`checkBackup`),
 * before anything is written; each database is then written in one transaction, and a failure in a
 * later one puts the earlier ones back. The summary says, per store, how many records were new,
 * updated (the backup's copy was newer) or kept.
 */
/**
 * The largest backup the page reads: it is parsed whole (drafts, results, kept models as base64,
 * imported datasets), and reading, parsing and writing it must stay well inside a tab's memory.
 */
export const MAX_BACKUP_BYTES = 512 * 1024 * 1024;

export async function importBackup(text: string): Promise<ImportSummary> {
  const checked = await checkBackup(parseBackup(text));
  const existing = await databaseNames();
  const summary: ImportSummary = { stores: [], skipped: checked.flatMap((d) => d.skipped) };
  // What happened to each exercise's result: its kept model follows it (below), so the report on
  // screen and the model an export ships stay from the same run.
  const resultDecisions = new Map<unknown, MergeDecision>();
  const followResult: DecisionOverride = (value) =>
    keptModelDecision(
      resultDecisions.get(exerciseOfKeptModel((value as { modelPath?: unknown } | null)?.modelPath)),
    );
  // The lab's database first: the models' decisions depend on its results'.
  const databases = [...checked].sort(
    (a, b) => Number(b.name === labDatabaseName) - Number(a.name === labDatabaseName),
  );
  const written: { name: string; created: boolean; undo: UndoEntry[] }[] = [];
  try {
    for (const database of databases) {
      const { db, created } = await openForImport(database.name, existing);
      written.push({ name: database.name, created, undo: [] });
      try {
        const datasetDecisions = new Map<unknown, MergeDecision>();
        const followDataset: DecisionOverride = (value) =>
          datasetDecisions.get((value as { datasetId?: unknown } | null)?.datasetId) === 'updated'
            ? 'updated'
            : 'kept';
        const isLab = database.name === labDatabaseName;
        const isKeptModels = database.name === tfjsModelsDatabaseName;
        const writes: StoreWrite[] = [];
        // Datasets before their files (see DecisionOverride).
        const stores = [...database.stores].sort(
          (a, b) => Number(a.name === 'importedDatasetFiles') - Number(b.name === 'importedDatasetFiles'),
        );
        for (const store of stores) {
          if (!db.objectStoreNames.contains(store.name)) {
            summary.skipped.push(
              `${database.name}/${store.name}: ${store.records.length} records kept out (this browser's database has no such store)`,
            );
            continue;
          }
          writes.push({
            store,
            decided: (key, decision) => {
              if (isLab && store.name === 'importedDatasets') datasetDecisions.set(key, decision);
              if (isLab && store.name === 'results') resultDecisions.set(key, decision);
            },
            override:
              isLab && store.name === 'importedDatasetFiles'
                ? followDataset
                : isKeptModels && (tfjsModelStoreNames as readonly string[]).includes(store.name)
                  ? followResult
                  : undefined,
          });
        }
        const { counts, undo } = await writeDatabase(db, writes);
        written[written.length - 1].undo = undo;
        summary.stores.push(...counts.map((c) => ({ database: database.name, ...c })));
      } finally {
        db.close();
      }
    }
  } catch (error) {
    const detail = errorMessage(error);
    try {
      for (const { name, created, undo } of [...written].reverse()) await undoDatabase(name, created, undo);
    } catch (undoError) {
      throw new Error(
        `The backup could not be written (${detail}), and putting back what was written failed too (${errorMessage(undoError)}). Export a backup of this browser before trying again.`,
      );
    }
    throw new Error(
      `The backup could not be written (${detail}). Nothing was imported: everything here is as it was.`,
    );
  }
  return summary;
}
