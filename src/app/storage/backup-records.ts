/**
 * What a backup may write, checked before anything is: the databases this version of CV Lab keeps,
 * the newest version of each it can read, and each store's record schema (the same schemas the app
 * validates its reads with). A backup is someone else's file: a database it names at version 999,
 * a store the app lacks or a record that fails its schema must never reach IndexedDB, where it
 * would break the page that reads it next.
 *
 * Runs in Node as in the page (the unit tests check it without IndexedDB).
 */
import { z } from 'zod';
import { DatasetManifestSchema } from '../../core/datasets/manifest';
import { parseSet } from '../../core/exercises/set';
import { MAX_CODE_CHARS } from '../../core/exercises/submission';
import { decodeValue, type Backup } from './backup-format';
import { labDatabaseName, labDatabaseVersion } from '../../storage/lab-db';
import { tfjsModelsDatabaseName } from '../../storage/kept-models';
import { AttemptSchema, ExamClockSchema, teamsDatabaseName, teamsDatabaseVersion } from './teams-db';
import { validResult } from './results';
import { errorMessage } from '../../core/shared/errors';
import {
  rosterDatabaseName,
  rosterDatabaseVersion,
  StoredBuilderDraftSchema,
  StoredEntrySchema,
  StoredFileSchema,
  StoredRosterSchema,
} from './roster-db';
import { parseSubmission } from '../../core/exercises/submission';

/** A record as it will be written, or a thrown error that says what is wrong with it. */
type RecordCheck = (value: unknown) => unknown | Promise<unknown>;

export interface KnownDatabase {
  /** The version this app opens it at: a backup's database must be at it or older. */
  version: number;
  /** Every store's key path (all of them inline) and record check. */
  stores: Record<string, { keyPath: string | string[]; check: RecordCheck }>;
}

const schema =
  (zod: z.ZodType): RecordCheck =>
  (value) => {
    const parsed = zod.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join('.') || 'the record'}: ${issue?.message ?? 'invalid'}`);
  };

const DraftSchema = z.strictObject({
  exerciseId: z.string().min(1).max(200),
  code: z.string().max(MAX_CODE_CHARS),
  savedAt: z.string().max(40),
});

const ImportedDatasetSchema = z
  .strictObject({
    id: z.string().min(1).max(200),
    manifest: DatasetManifestSchema,
    bytes: z.number().int().nonnegative(),
    savedAt: z.string().max(40),
  })
  .refine((d) => d.manifest.id === d.id, 'the manifest names another dataset');

const DatasetFileSchema = z
  .strictObject({
    key: z.string(),
    datasetId: z.string().min(1).max(200),
    name: z.string().min(1).max(200),
    bytes: z.instanceof(Uint8Array),
  })
  .refine((f) => f.key === `${f.datasetId}/${f.name}`, 'its key is not <dataset>/<file>');

const StoredSetSchema = z.strictObject({
  id: z.string(),
  text: z.string(),
  importedAt: z.string().max(40),
});

/** tfjs's own records (`indexeddb://`): checked for the shape tfjs reads; tfjs validates the rest. */
const TfjsModelSchema = z.looseObject({
  modelPath: z.string().min(1).max(500),
  modelArtifacts: z.looseObject({ weightData: z.instanceof(ArrayBuffer).optional() }),
});
const TfjsModelInfoSchema = z.looseObject({
  modelPath: z.string().min(1).max(500),
  modelArtifactsInfo: z.looseObject({}),
});

export const knownDatabases: Record<string, KnownDatabase> = {
  [labDatabaseName]: {
    version: labDatabaseVersion,
    stores: {
      drafts: { keyPath: 'exerciseId', check: schema(DraftSchema) },
      results: {
        keyPath: 'exerciseId',
        check: (value) => {
          const result = validResult(value);
          if (!result) throw new Error('not a result with a valid report');
          return result;
        },
      },
      importedDatasets: { keyPath: 'id', check: schema(ImportedDatasetSchema) },
      importedDatasetFiles: { keyPath: 'key', check: schema(DatasetFileSchema) },
    },
  },
  [teamsDatabaseName]: {
    version: teamsDatabaseVersion,
    stores: {
      sets: {
        keyPath: 'id',
        check: async (value) => {
          const record = schema(StoredSetSchema)(value) as z.infer<typeof StoredSetSchema>;
          const set = await parseSet(record.text);
          if (set.id !== record.id) throw new Error(`it holds the set ${set.id}`);
          return record;
        },
      },
      attempts: { keyPath: ['setId', 'exerciseId'], check: schema(AttemptSchema) },
      exams: { keyPath: 'setId', check: schema(ExamClockSchema) },
    },
  },
  // The lead's rosters (backup version 2 on): a set and a submission are parsed as on every read.
  [rosterDatabaseName]: {
    version: rosterDatabaseVersion,
    stores: {
      rosters: {
        keyPath: 'key',
        check: async (value) => {
          const record = schema(StoredRosterSchema)(value) as z.infer<typeof StoredRosterSchema>;
          if (record.setText !== undefined) {
            const set = await parseSet(record.setText);
            if (record.key !== `set:${set.id}`) throw new Error(`it holds the set ${set.id}`);
          }
          return record;
        },
      },
      entries: { keyPath: 'id', check: schema(StoredEntrySchema) },
      files: {
        keyPath: 'id',
        check: (value) => {
          const record = schema(StoredFileSchema)(value) as z.infer<typeof StoredFileSchema>;
          parseSubmission(record.text);
          return record;
        },
      },
      builder: { keyPath: 'id', check: schema(StoredBuilderDraftSchema) },
    },
  },
  // tfjs creates it at version 1 with these two stores; a backup makes it the same way.
  [tfjsModelsDatabaseName]: {
    version: 1,
    stores: {
      models_store: { keyPath: 'modelPath', check: schema(TfjsModelSchema) },
      model_info_store: { keyPath: 'modelPath', check: schema(TfjsModelInfoSchema) },
    },
  },
};

/** One record ready to write. */
export interface CheckedRecord {
  value: unknown;
}

export interface CheckedDatabase {
  name: string;
  stores: { name: string; records: CheckedRecord[] }[];
  /** Stores of a known database this version does not have: left out, one line each. */
  skipped: string[];
}

const problemsShown = 5;

/**
 * Decodes and checks every record of a parsed backup; resolves with what to write, or throws one
 * error listing the problems (the first few) when anything is wrong: then nothing may be written.
 */
export async function checkBackup(backup: Backup): Promise<CheckedDatabase[]> {
  const problems: string[] = [];
  const checked: CheckedDatabase[] = [];
  for (const database of backup.databases) {
    const known = knownDatabases[database.name];
    if (!known) {
      problems.push(`it holds a database CV Lab does not keep ("${database.name}")`);
      continue;
    }
    if (database.version > known.version) {
      problems.push(
        `${database.name} is at version ${database.version}, made by a newer CV Lab (this one reads up to ${known.version})`,
      );
      continue;
    }
    const out: CheckedDatabase = { name: database.name, stores: [], skipped: [] };
    for (const store of database.stores) {
      const knownStore = known.stores[store.name];
      if (!knownStore) {
        out.skipped.push(
          `${database.name}/${store.name}: ${store.records.length} records kept out (this version of CV Lab has no such store)`,
        );
        continue;
      }
      const records: CheckedRecord[] = [];
      for (const [index, record] of store.records.entries()) {
        try {
          const value = await knownStore.check(decodeValue(record.value));
          records.push({ value });
        } catch (error) {
          problems.push(`${database.name}/${store.name}, record ${index + 1}: ${errorMessage(error)}`);
        }
      }
      out.stores.push({ name: store.name, records });
    }
    checked.push(out);
  }
  if (problems.length > 0) {
    const more = problems.length - problemsShown;
    throw new Error(
      `This backup cannot be imported: ${problems.slice(0, problemsShown).join('; ')}${more > 0 ? `; and ${more} more` : ''}. Nothing was imported: everything here is as it was.`,
    );
  }
  return checked;
}
