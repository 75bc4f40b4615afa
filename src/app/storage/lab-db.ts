/**
 * The page's IndexedDB: learner drafts and the last report per exercise.
 *
 * Reports are validated when read back (DESIGN.md: "validated on every read"), so a record from
 * an older version or a damaged database shows as "no result" instead of breaking the page.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
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

interface LabDbSchema extends DBSchema {
  drafts: { key: string; value: StoredDraft };
  results: { key: string; value: StoredResult };
}

const databaseName = 'cv-lab';
const databaseVersion = 1;

let database: Promise<IDBPDatabase<LabDbSchema>> | null = null;

function openLabDb(): Promise<IDBPDatabase<LabDbSchema>> {
  database ??= openDB<LabDbSchema>(databaseName, databaseVersion, {
    upgrade(db) {
      if (!db.objectStoreNames.contains('drafts')) db.createObjectStore('drafts', { keyPath: 'exerciseId' });
      if (!db.objectStoreNames.contains('results'))
        db.createObjectStore('results', { keyPath: 'exerciseId' });
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
