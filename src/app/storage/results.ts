/**
 * The last report per exercise, in the `cv-lab` database (`src/storage/lab-db.ts`).
 *
 * Reports are validated when read back (DESIGN.md: "validated on every read"), so a record from
 * an older version or a damaged database shows as "no result" instead of breaking the page.
 */
import { ReportSchema, type Report } from '../../core/exercises/schema';
import { openLabDb, type StoredResult } from '../../storage/lab-db';

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
