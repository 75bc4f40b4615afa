/**
 * The last result per exercise, in the `cv-lab` database (`src/storage/lab-db.ts`): the report and
 * what exporting a submission needs later (the code as run, the history, the environment, whether
 * the trained model is kept in this browser).
 *
 * Records are validated when read back (docs/architecture.md, "Formats": validated on every read): a record whose
 * report is malformed shows as "no result" instead of breaking the page; a record from before the
 * export fields, or with one of them damaged, keeps its report and loses only the export.
 */
import { z } from 'zod';
import { ReportSchema, type Report } from '../../core/exercises/schema';
import {
  EnvironmentSchema,
  HistoryEntrySchema,
  MAX_CODE_CHARS,
  type HistoryEntry,
  type SubmissionEnvironment,
} from '../../core/exercises/submission';
import { openLabDb, type StoredResult } from '../../storage/lab-db';
import type { LabRunOutcome } from '../../worker/contract';
import type { SubmissionSource } from './teams-db';
import packageJson from '../../../package.json';

/** What a finished run adds to its stored result: all of it, but `modelKept` only for training runs. */
export type ResultRun = Required<Pick<StoredResult, 'code' | 'history' | 'environment'>> &
  Pick<StoredResult, 'modelKept'>;

const optionalFields = {
  code: z.string().max(MAX_CODE_CHARS),
  history: z.array(HistoryEntrySchema).max(10_000),
  environment: EnvironmentSchema,
  modelKept: z.boolean(),
} as const;

/** A stored record as the page may use it, or undefined when its report is unusable. */
export function validResult(record: unknown): StoredResult | undefined {
  if (!record || typeof record !== 'object') return undefined;
  const raw = record as Record<string, unknown>;
  if (typeof raw.exerciseId !== 'string' || typeof raw.savedAt !== 'string') return undefined;
  const report = ReportSchema.safeParse(raw.report);
  if (!report.success) return undefined;
  const result: StoredResult = { exerciseId: raw.exerciseId, report: report.data, savedAt: raw.savedAt };
  for (const [field, schema] of Object.entries(optionalFields)) {
    if (raw[field] === undefined) continue;
    const parsed = schema.safeParse(raw[field]);
    if (parsed.success) Object.assign(result, { [field]: parsed.data });
  }
  return result;
}

/** JSON and the schemas have no NaN or Infinity: a diverged epoch keeps its finite figures. */
function finiteHistory(history: readonly HistoryEntry[]): HistoryEntry[] {
  return history.map((entry) => ({
    epoch: entry.epoch,
    logs: Object.fromEntries(Object.entries(entry.logs).filter(([, v]) => Number.isFinite(v))),
  }));
}

/** What a finished run adds to its stored result (the shape `attemptFromRun` gives set attempts). */
export function resultRunOf(
  code: string,
  outcome: Pick<LabRunOutcome, 'history' | 'backend' | 'modelKept' | 'seed'>,
  report: Report,
  userAgent: string = navigator.userAgent,
): ResultRun {
  const environment: SubmissionEnvironment = {
    backend: outcome.backend,
    userAgent: userAgent.slice(0, 500),
    cvLabVersion: packageJson.version,
    timings: { trainSeconds: report.timings.trainSeconds, gradeSeconds: report.timings.gradeSeconds },
    ...(outcome.seed !== undefined ? { seed: outcome.seed } : {}),
  };
  return {
    code,
    history: finiteHistory(outcome.history),
    environment,
    ...(outcome.modelKept !== undefined ? { modelKept: outcome.modelKept } : {}),
  };
}

/**
 * A stored result as the source of a submission, without its model (the worker reads that from
 * IndexedDB when asked); null for a record from before results kept their code.
 */
export function submissionSourceOf(result: StoredResult): Omit<SubmissionSource, 'model'> | null {
  const { code, history, environment, report } = result;
  if (code === undefined || !history || !environment) return null;
  return { code, report, history, environment };
}

export async function loadAllResults(): Promise<StoredResult[]> {
  const db = await openLabDb();
  const records = await db.getAll('results');
  return records.map(validResult).filter((r): r is StoredResult => r !== undefined);
}

export async function saveResult(record: StoredResult): Promise<void> {
  const db = await openLabDb();
  await db.put('results', record);
}
