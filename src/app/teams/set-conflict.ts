/**
 * A set opened (file or link) under an id this browser already holds: what differs between the
 * two, and the id the new one gets when the learner keeps both. Pure: the unit tests run it in Node.
 *
 * Sets come from other people, so a file or link reusing an id must never silently replace a set
 * (its targets, its exam) the learner already works on: the page shows these differences and asks.
 */
import type { Exercise } from '../../core/exercises/schema';
import type { CvSet } from '../../core/exercises/set';
import { describeTargets } from '../../core/grading/target-text';
import { effectiveTargets } from './describe';

export interface SetDifference {
  /** What differs, as the page labels it: "Title", "Exercises", "Targets of fashion-mnist-dense". */
  what: string;
  existing: string;
  incoming: string;
}

/** The same set (same content, ignoring when each copy was opened): opening it again changes nothing. */
export function sameSet(existing: CvSet, incoming: CvSet): boolean {
  return JSON.stringify(existing) === JSON.stringify(incoming);
}

/** Title, number of exercises, each exercise's targets (the exercise's own where not overridden), exam. */
export function setDifferences(
  existing: CvSet,
  incoming: CvSet,
  exerciseOf: (id: string) => Exercise | undefined,
): SetDifference[] {
  const differences: SetDifference[] = [];
  const add = (what: string, a: string, b: string) => {
    if (a !== b) differences.push({ what, existing: a, incoming: b });
  };
  add('Title', existing.title, incoming.title);
  add('Exercises', exerciseList(existing), exerciseList(incoming));
  for (const entry of incoming.exercises) {
    const before = existing.exercises.find((e) => e.id === entry.id);
    if (!before) continue;
    const exercise = exerciseOf(entry.id);
    const describe = (targets: Exercise['targets']) => describeTargets(targets, exercise?.kind) || 'none';
    add(
      `Targets of ${entry.id}`,
      describe(effectiveTargets(before, exercise)),
      describe(effectiveTargets(entry, exercise)),
    );
  }
  add('Exam', examText(existing), examText(incoming));
  add('Due', existing.dueDate ?? 'none', incoming.dueDate ?? 'none');
  return differences;
}

function exerciseList(set: CvSet): string {
  const count = set.exercises.length;
  return `${count} exercise${count === 1 ? '' : 's'}: ${set.exercises.map((e) => e.id).join(', ')}`;
}

function examText(set: CvSet): string {
  return set.exam?.enabled ? `${set.exam.minutes} min` : 'none';
}

/** The first of `<id>-2`, `<id>-3`, ... not taken, within the set id's 64 characters. */
export function freeSetId(id: string, taken: (id: string) => boolean): string {
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${id.slice(0, 64 - suffix.length)}${suffix}`;
    if (!taken(candidate)) return candidate;
  }
}
