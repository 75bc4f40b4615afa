/**
 * The lead's rosters and the set builder's draft, in a database of their own (`cv-lab-roster`), so
 * neither the lab's nor the learner's sets database waits on its schema:
 *
 * - `rosters`: one per set the lead loaded (key `set:<id>`) and a default one without a set
 *   (`default`): the set's JSON (with its private parts: this is the lead's own browser), the hash
 *   of what grading depends on, the lead's comments per cell, and when it was last opened;
 * - `entries`: every imported file, one record each (a bundle gives one per submission): its state,
 *   the re-grade's row or the error; the submission's text lives in `files` under the same id, so a
 *   new grade does not write the model again;
 * - `builder`: the set builder's form (`draft`).
 *
 * Everything is validated when read back (a set with `parseSet`, a submission with
 * `parseSubmission`, rows and forms with the schemas below), so a damaged record is skipped.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { z } from 'zod';
import { ReportSchema } from '../../core/exercises/schema';
import { PrivateTestSchema } from '../../core/exercises/set';
import type { RosterRow } from '../../core/grading/roster';

export const DEFAULT_ROSTER = 'default';
export const rosterKeyOf = (setId: string | null | undefined) => (setId ? `set:${setId}` : DEFAULT_ROSTER);

const text = (max: number) => z.string().max(max);

export const StoredRosterSchema = z.strictObject({
  key: text(100),
  title: text(300),
  setText: z.string().optional(),
  setFile: text(500).optional(),
  /** `gradingHash` of the set the rows were graded against ('' for none). */
  setHash: text(100),
  /** The lead's comment per cell, keyed `learner\u0000exerciseId`. */
  comments: z.record(text(400), text(5000)),
  updatedAt: text(40),
});
export type StoredRoster = z.infer<typeof StoredRosterSchema>;

export const RosterFlagSchema = z.object({ code: text(100), message: text(5000) });

export const RosterRowSchema = z.object({
  file: text(500),
  learner: text(300),
  setTitle: text(300),
  exerciseId: text(200),
  status: z.enum(['pass', 'fail', 'error']),
  metric: text(100),
  value: z.number().nullable(),
  score: z.number().nullable(),
  trainSeconds: z.number().nullable(),
  backend: text(100),
  flags: z.array(RosterFlagSchema).max(200),
  error: text(20_000).optional(),
  report: ReportSchema.optional(),
  submittedAt: text(40).optional(),
  comment: text(5000).optional(),
  examTotal: z.number().nullable().optional(),
  reproduction: z.object({ reproduced: z.boolean(), summary: text(5000) }).optional(),
});

export const StoredEntrySchema = z.strictObject({
  id: text(100),
  rosterKey: text(100),
  file: text(500),
  /** Order of import. */
  seq: z.number().int().nonnegative(),
  state: z.enum(['unchecked', 'done', 'error']),
  row: RosterRowSchema.optional(),
  error: text(20_000).optional(),
  /** Whether `files` holds the submission's text (an unreadable file has none). */
  hasSubmission: z.boolean(),
  updatedAt: text(40),
});
export type StoredEntry = Omit<z.infer<typeof StoredEntrySchema>, 'row'> & { row?: RosterRow };

export const StoredFileSchema = z.strictObject({ id: text(100), text: z.string() });
export type StoredFile = z.infer<typeof StoredFileSchema>;

const BuilderEntrySchema = z.strictObject({ id: text(100), threshold: text(40), minutes: text(40) });
export const BuilderFormSchema = z.strictObject({
  title: text(1000),
  author: text(1000),
  notes: text(100_000),
  due: text(40),
  entries: z.array(BuilderEntrySchema).max(200),
  exam: z.strictObject({
    enabled: z.boolean(),
    minutes: text(40),
    weights: z.strictObject({ beginner: text(40), intermediate: text(40), advanced: text(40) }),
  }),
  privateTest: z.strictObject({ label: text(500), data: PrivateTestSchema }).nullable(),
});
export const StoredBuilderDraftSchema = z.strictObject({
  id: z.literal('draft'),
  form: BuilderFormSchema,
  savedAt: text(40),
});

interface RosterDbSchema extends DBSchema {
  rosters: { key: string; value: StoredRoster };
  entries: { key: string; value: StoredEntry };
  files: { key: string; value: StoredFile };
  builder: { key: string; value: z.infer<typeof StoredBuilderDraftSchema> };
}

export const rosterDatabaseName = 'cv-lab-roster';
export const rosterDatabaseVersion = 1;

let database: Promise<IDBPDatabase<RosterDbSchema>> | null = null;

function openRosterDb(): Promise<IDBPDatabase<RosterDbSchema>> {
  database ??= openDB<RosterDbSchema>(rosterDatabaseName, rosterDatabaseVersion, {
    upgrade(db) {
      if (!db.objectStoreNames.contains('rosters')) db.createObjectStore('rosters', { keyPath: 'key' });
      if (!db.objectStoreNames.contains('entries')) db.createObjectStore('entries', { keyPath: 'id' });
      if (!db.objectStoreNames.contains('files')) db.createObjectStore('files', { keyPath: 'id' });
      if (!db.objectStoreNames.contains('builder')) db.createObjectStore('builder', { keyPath: 'id' });
    },
  }).catch((error: unknown) => {
    database = null;
    throw error;
  });
  return database;
}

/** Makes sure the database exists at this version (the backup import writes into it by name). */
export async function ensureRosterDb(): Promise<void> {
  await openRosterDb();
}

export async function loadRosters(): Promise<StoredRoster[]> {
  const db = await openRosterDb();
  return (await db.getAll('rosters')).flatMap((record) => {
    const parsed = StoredRosterSchema.safeParse(record);
    return parsed.success ? [parsed.data] : [];
  });
}

export async function saveRoster(roster: StoredRoster): Promise<void> {
  const db = await openRosterDb();
  await db.put('rosters', roster);
}

/** A roster's entries in import order, with the text of each readable file. */
export async function loadEntries(rosterKey: string): Promise<(StoredEntry & { text?: string })[]> {
  const db = await openRosterDb();
  const records = (await db.getAll('entries')).flatMap((record) => {
    const parsed = StoredEntrySchema.safeParse(record);
    return parsed.success && parsed.data.rosterKey === rosterKey ? [parsed.data as StoredEntry] : [];
  });
  records.sort((a, b) => a.seq - b.seq);
  return Promise.all(
    records.map(async (entry) => {
      if (!entry.hasSubmission) return entry;
      const file = await db.get('files', entry.id);
      return typeof file?.text === 'string' ? { ...entry, text: file.text } : entry;
    }),
  );
}

/** Writes an entry, and its file's text when given (only when it is first imported). */
export async function saveEntry(entry: StoredEntry, fileText?: string): Promise<void> {
  const db = await openRosterDb();
  const tx = db.transaction(['entries', 'files'], 'readwrite');
  await tx.objectStore('entries').put(entry);
  if (fileText !== undefined) await tx.objectStore('files').put({ id: entry.id, text: fileText });
  await tx.done;
}

export async function deleteEntries(ids: readonly string[]): Promise<void> {
  const db = await openRosterDb();
  const tx = db.transaction(['entries', 'files'], 'readwrite');
  for (const id of ids) {
    await tx.objectStore('entries').delete(id);
    await tx.objectStore('files').delete(id);
  }
  await tx.done;
}

export async function loadBuilderDraft(): Promise<z.infer<typeof BuilderFormSchema> | null> {
  const db = await openRosterDb();
  const parsed = StoredBuilderDraftSchema.safeParse(await db.get('builder', 'draft'));
  return parsed.success ? parsed.data.form : null;
}

export async function saveBuilderDraft(form: z.infer<typeof BuilderFormSchema>): Promise<void> {
  const db = await openRosterDb();
  await db.put('builder', { id: 'draft', form, savedAt: new Date().toISOString() });
}
