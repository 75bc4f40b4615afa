/**
 * The roster as the page shows it: submissions (re-graded or not yet) arranged learners ×
 * exercises. Pure, so it is tested in Node.
 */
import type { Submission } from '../../core/exercises/submission';
import { rosterErrorRow, type RosterRow } from '../../core/grading/roster';

export interface RosterEntry {
  id: number;
  /** The file name as dropped. */
  file: string;
  /** Absent when the file could not be read. */
  submission?: Submission;
  state: 'unchecked' | 'grading' | 'done' | 'error';
  /** After a re-grade (or an error row). */
  row?: RosterRow;
  /** Why the file could not be read or graded. */
  error?: string;
}

export interface RosterGrid {
  learners: string[];
  exercises: string[];
  /** The newest submission per learner and exercise. */
  cell(learner: string, exerciseId: string): RosterEntry | undefined;
  /** Entries that are not in the grid: unreadable files. */
  unreadable: RosterEntry[];
}

/**
 * Learners in alphabetical order; exercises in `exerciseOrder` (the set's) first, then in the
 * order first seen. When a learner sent an exercise twice, the newer submission (`createdAt`)
 * fills the cell.
 */
export function rosterGrid(
  entries: readonly RosterEntry[],
  exerciseOrder: readonly string[] = [],
): RosterGrid {
  const cells = new Map<string, RosterEntry>();
  const learners = new Set<string>();
  const exercises = new Set<string>(exerciseOrder);
  const seen = new Set<string>();
  const unreadable: RosterEntry[] = [];
  for (const entry of entries) {
    const submission = entry.submission;
    if (!submission) {
      unreadable.push(entry);
      continue;
    }
    const learner = submission.learner.name;
    learners.add(learner);
    exercises.add(submission.exerciseId);
    seen.add(submission.exerciseId);
    const key = `${learner}\u0000${submission.exerciseId}`;
    const current = cells.get(key);
    if (!current || current.submission!.createdAt <= submission.createdAt) cells.set(key, entry);
  }
  return {
    learners: [...learners].sort((a, b) => a.localeCompare(b)),
    // A set's exercise nobody submitted still gets its column: the lead sees who is missing.
    exercises: [...exercises],
    cell: (learner, exerciseId) => cells.get(`${learner}\u0000${exerciseId}`),
    unreadable,
  };
}

/** The rows `rosterToCsv` writes: re-graded rows, and error rows for the rest. */
export function rosterRowsForExport(entries: readonly RosterEntry[]): RosterRow[] {
  return entries.map((entry) => {
    if (entry.row) return entry.row;
    const submission = entry.submission;
    const known = submission
      ? {
          learner: submission.learner.name,
          exerciseId: submission.exerciseId,
          setTitle: submission.setTitle ?? '',
          backend: submission.environment.backend,
        }
      : {};
    return rosterErrorRow(entry.file, entry.error ?? 'not re-graded yet', known);
  });
}
