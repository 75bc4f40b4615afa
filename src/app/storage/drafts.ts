/** The learner's drafts, one per exercise, in the `cv-lab` database (`src/storage/lab-db.ts`). */
import { openLabDb, type StoredDraft } from '../../storage/lab-db';

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
