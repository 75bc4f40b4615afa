/**
 * The team features' IndexedDB (its own database, so the lab's `cv-lab` database and its version
 * are untouched): sets the learner imported, the best graded attempt per set exercise (with the
 * trained model, so it can be exported as a submission later) and exam clocks (kept when their set
 * is removed).
 *
 * Everything is validated when read back: a set is parsed again with `parseSet`, an attempt with
 * the report and model schemas, so a damaged record is skipped instead of breaking the page.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { z } from 'zod';
import { ReportSchema, type Report } from '../../core/exercises/schema';
import { parseSet, type CvSet } from '../../core/exercises/set';
import {
  EnvironmentSchema,
  HistoryEntrySchema,
  type HistoryEntry,
  type SubmissionEnvironment,
} from '../../core/exercises/submission';
import { ModelArtifactsJsonSchema, type ModelArtifactsJson } from '../../core/models/artifacts';

export interface StoredSet {
  id: string;
  /** The set's JSON text (the learner copy: never a private test). */
  text: string;
  importedAt: string;
}

/** One graded run of a set exercise: everything a submission needs but the learner's name. */
export interface SetAttempt {
  setId: string;
  exerciseId: string;
  code: string;
  report: Report;
  history: HistoryEntry[];
  environment: SubmissionEnvironment;
  model?: ModelArtifactsJson;
  submittedAt: string;
}

/** What a submission is made of, whether from the last run or a recorded attempt. */
export type SubmissionSource = Omit<SetAttempt, 'setId' | 'exerciseId' | 'submittedAt'>;

/**
 * An exam's clock, kept by set id; it stays when its set is removed, so opening the set again (or
 * an edited copy under its id) never restarts the exam (app/teams/set-progress.ts, `examView`).
 */
export interface ExamClock {
  setId: string;
  /** The content hash (`setHash`) of the copy the exam was started with; absent in older clocks. */
  setHash?: string;
  /** The exam's minutes when it started. */
  minutes?: number;
  startedAt: string;
  /** Set when the learner finished early or the time ran out. */
  endedAt?: string;
}

interface TeamsDbSchema extends DBSchema {
  sets: { key: string; value: StoredSet };
  attempts: { key: [string, string]; value: SetAttempt };
  exams: { key: string; value: ExamClock };
}

/** Sets, attempts and exam clocks: a database of their own, so the lab's schema never waits on it. */
export const teamsDatabaseName = 'cv-lab-teams';
export const teamsDatabaseVersion = 1;

let database: Promise<IDBPDatabase<TeamsDbSchema>> | null = null;

function openTeamsDb(): Promise<IDBPDatabase<TeamsDbSchema>> {
  database ??= openDB<TeamsDbSchema>(teamsDatabaseName, teamsDatabaseVersion, {
    upgrade(db) {
      if (!db.objectStoreNames.contains('sets')) db.createObjectStore('sets', { keyPath: 'id' });
      if (!db.objectStoreNames.contains('attempts'))
        db.createObjectStore('attempts', { keyPath: ['setId', 'exerciseId'] });
      if (!db.objectStoreNames.contains('exams')) db.createObjectStore('exams', { keyPath: 'setId' });
    },
  }).catch((error: unknown) => {
    database = null;
    throw error;
  });
  return database;
}

export const AttemptSchema = z.object({
  setId: z.string(),
  exerciseId: z.string(),
  code: z.string(),
  report: ReportSchema,
  history: z.array(HistoryEntrySchema),
  environment: EnvironmentSchema,
  model: ModelArtifactsJsonSchema.optional(),
  submittedAt: z.string(),
});

export const ExamClockSchema = z.object({
  setId: z.string(),
  setHash: z.string().optional(),
  minutes: z.number().optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
});

/**
 * The way out of a damaged sets database (a version this app does not know, stores missing, left by
 * an older import): delete it and start afresh. Only this database goes: drafts, results and kept
 * models live in `cv-lab` and tfjs's own database, and stay.
 */
export async function resetTeamsDb(): Promise<void> {
  const open = database;
  database = null;
  await open?.then((db) => db.close()).catch(() => {});
  await deleteDB(teamsDatabaseName);
}

/** Makes sure the database exists at this version (the backup import writes into it by name). */
export async function ensureTeamsDb(): Promise<void> {
  await openTeamsDb();
}

export async function loadSets(): Promise<{ id: string; set: CvSet; importedAt: string }[]> {
  const db = await openTeamsDb();
  const records = await db.getAll('sets');
  const sets = await Promise.all(
    records.map(async (record) => {
      try {
        return { id: record.id, set: await parseSet(record.text), importedAt: record.importedAt };
      } catch {
        return null;
      }
    }),
  );
  return sets.filter((s) => s !== null);
}

export async function saveSet(set: CvSet): Promise<void> {
  const db = await openTeamsDb();
  await db.put('sets', { id: set.id, text: JSON.stringify(set), importedAt: new Date().toISOString() });
}

/**
 * Removes the set with its attempts. Its exam clock stays: an exam taken is on record, and opening
 * the set again must not start it afresh.
 */
export async function deleteSet(setId: string): Promise<void> {
  const db = await openTeamsDb();
  const tx = db.transaction(['sets', 'attempts'], 'readwrite');
  await tx.objectStore('sets').delete(setId);
  const attempts = tx.objectStore('attempts');
  for (const key of await attempts.getAllKeys()) if (key[0] === setId) await attempts.delete(key);
  await tx.done;
}

export async function loadAttempts(): Promise<SetAttempt[]> {
  const db = await openTeamsDb();
  const records = await db.getAll('attempts');
  return records.flatMap((record) => {
    const parsed = AttemptSchema.safeParse(record);
    return parsed.success ? [parsed.data as SetAttempt] : [];
  });
}

export async function saveAttempt(attempt: SetAttempt): Promise<void> {
  const db = await openTeamsDb();
  await db.put('attempts', attempt);
}

export async function loadExamClocks(): Promise<ExamClock[]> {
  const db = await openTeamsDb();
  const records = await db.getAll('exams');
  return records.flatMap((record) => {
    const parsed = ExamClockSchema.safeParse(record);
    return parsed.success ? [parsed.data] : [];
  });
}

export async function saveExamClock(clock: ExamClock): Promise<void> {
  const db = await openTeamsDb();
  await db.put('exams', clock);
}
