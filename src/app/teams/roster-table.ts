/**
 * The roster as the page shows it: submissions (re-graded or not yet) arranged learners ×
 * exercises, every attempt kept. Pure, so it is tested in Node.
 */
import type { Submission } from '../../core/exercises/submission';
import { rosterErrorRow, rowVerdict, type RosterRow } from '../../core/grading/roster';

export interface RosterEntry {
  id: string;
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

/** One learner's attempts at one exercise, oldest first, and what the cell shows of them. */
export interface RosterCell {
  attempts: RosterEntry[];
  /** The newest by the submission's `createdAt`. */
  latest: RosterEntry;
  /** The best clean (unflagged) re-graded attempt: passed first, then the higher score. */
  best: RosterEntry | null;
  /** Attempts whose re-grade raised a flag: shown as such, never hidden behind a clean one. */
  flagged: RosterEntry[];
}

export interface RosterGrid {
  learners: string[];
  exercises: string[];
  cell(learner: string, exerciseId: string): RosterCell | undefined;
  /** Entries that are not in the grid: unreadable files. */
  unreadable: RosterEntry[];
}

export const cellKey = (learner: string, exerciseId: string) => `${learner}\u0000${exerciseId}`;

function isBetter(a: RosterEntry, b: RosterEntry): boolean {
  const pa = a.row!.status === 'pass';
  const pb = b.row!.status === 'pass';
  if (pa !== pb) return pa;
  return (a.row!.score ?? 0) > (b.row!.score ?? 0);
}

/**
 * Learners in alphabetical order; exercises in `exerciseOrder` (the set's) first, then in the
 * order first seen. Every attempt stays in its cell.
 */
export function rosterGrid(
  entries: readonly RosterEntry[],
  exerciseOrder: readonly string[] = [],
): RosterGrid {
  const groups = new Map<string, RosterEntry[]>();
  const learners = new Set<string>();
  const exercises = new Set<string>(exerciseOrder);
  const unreadable: RosterEntry[] = [];
  for (const entry of entries) {
    const submission = entry.submission;
    if (!submission) {
      unreadable.push(entry);
      continue;
    }
    learners.add(submission.learner.name);
    exercises.add(submission.exerciseId);
    const key = cellKey(submission.learner.name, submission.exerciseId);
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const cells = new Map<string, RosterCell>();
  for (const [key, group] of groups) {
    const attempts = [...group].sort((a, b) =>
      a.submission!.createdAt.localeCompare(b.submission!.createdAt),
    );
    const graded = attempts.filter(
      (e) => e.state === 'done' && e.row && (rowVerdict(e.row) === 'pass' || rowVerdict(e.row) === 'fail'),
    );
    cells.set(key, {
      attempts,
      latest: attempts.at(-1)!,
      best: graded.reduce<RosterEntry | null>((b, e) => (!b || isBetter(e, b) ? e : b), null),
      flagged: attempts.filter((e) => e.row && e.row.status !== 'error' && e.row.flags.length > 0),
    });
  }
  return {
    learners: [...learners].sort((a, b) => a.localeCompare(b)),
    // A set's exercise nobody submitted still gets its column: the lead sees who is missing.
    exercises: [...exercises],
    cell: (learner, exerciseId) => cells.get(cellKey(learner, exerciseId)),
    unreadable,
  };
}

/**
 * The rows the reports write: re-graded rows, and error rows for the rest, each with the lead's
 * comment on its cell.
 */
export function rosterRowsForExport(
  entries: readonly RosterEntry[],
  comments: Readonly<Record<string, string>> = {},
): RosterRow[] {
  return entries.map((entry) => {
    const submission = entry.submission;
    const comment = submission
      ? comments[cellKey(submission.learner.name, submission.exerciseId)]
      : undefined;
    const withComment = (row: RosterRow): RosterRow =>
      comment?.trim() ? { ...row, comment: comment.trim() } : row;
    if (entry.row && entry.state === 'done') return withComment(entry.row);
    const known = submission
      ? {
          learner: submission.learner.name,
          exerciseId: submission.exerciseId,
          setTitle: submission.setTitle ?? '',
          backend: submission.environment.backend,
          submittedAt: submission.createdAt,
        }
      : {};
    return withComment(entry.row ?? rosterErrorRow(entry.file, entry.error ?? 'not re-graded yet', known));
  });
}
