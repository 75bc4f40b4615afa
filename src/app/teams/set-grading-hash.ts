/**
 * What a set's grades depend on, as one SHA-256: per exercise its id, targets, limits and private
 * cases, and the private test's manifest (which names every shard's SHA-256). Re-loading a set
 * whose hash is unchanged keeps the grades already made; a title, notes or due date do not count.
 */
import type { CvSet } from '../../core/exercises/set';
import { sha256Hex } from '../../core/shared/bytes';

export async function gradingHash(set: CvSet | null): Promise<string> {
  if (!set) return '';
  const relevant = {
    exercises: set.exercises.map((e) => ({
      id: e.id,
      targets: e.targets ?? null,
      limits: e.limits ?? null,
      privateCases: e.privateCases ?? null,
    })),
    privateTest: set.privateTest?.manifest ?? null,
  };
  return sha256Hex(new TextEncoder().encode(JSON.stringify(relevant)));
}
