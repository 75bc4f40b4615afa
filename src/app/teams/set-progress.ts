/**
 * Pure rules of the learner's side of a set: which attempt counts, where an exam stands, how its
 * clock reads. No DOM and no storage, so they are tested in Node.
 */
import type { Report } from '../../core/exercises/schema';
import type { CvSet } from '../../core/exercises/set';

/** True when `candidate` beats `best`: a pass beats a fail, then the higher score, then the newer. */
export function isBetterReport(candidate: Report, best: Report | undefined): boolean {
  if (!best) return true;
  if (candidate.passed !== best.passed) return candidate.passed;
  return candidate.score >= best.score;
}

export type ExamPhase = 'none' | 'not-started' | 'running' | 'over';

export interface ExamView {
  phase: ExamPhase;
  /** Seconds left while running; 0 once over; the whole exam before it starts. */
  remainingSeconds: number;
  /** Milliseconds since the epoch when time is up (null before it starts or without an exam). */
  deadline: number | null;
  /**
   * The exam under this set's id was taken with another copy of the set (another content hash):
   * this copy can neither restart it nor run outside it.
   */
  otherCopy?: true;
}

/**
 * An exam's clock as kept in this browser: by set id, with the content hash (`setHash`) and the
 * minutes of the copy it was started with. Clocks outlive their set: removing a set and opening it
 * again, or opening an edited copy under the same id, finds the clock and never starts afresh.
 */
export interface ExamClockLike {
  startedAt: string;
  endedAt?: string;
  /** The set's content hash when the exam started (absent in clocks from before hashes). */
  setHash?: string;
  /** The exam's minutes when it started: an edited copy cannot lengthen a running exam. */
  minutes?: number;
}

/**
 * Where the set's exam stands at `now` (ms), from its clock (start, optional early end). A clock on
 * record makes the set an exam whatever this copy says (an edited copy with `exam.enabled: false`
 * does not give Run back), on the clock's own minutes; a clock of another copy (`setHash` differs
 * from `hash`) means this copy's exam is over.
 */
export function examView(
  set: Pick<CvSet, 'exam'>,
  clock: ExamClockLike | undefined,
  now: number,
  hash?: string,
): ExamView {
  if (!clock) {
    if (!set.exam?.enabled) return { phase: 'none', remainingSeconds: 0, deadline: null };
    return { phase: 'not-started', remainingSeconds: set.exam.minutes * 60, deadline: null };
  }
  const minutes = clock.minutes ?? (set.exam?.enabled ? set.exam.minutes : 0);
  const start = Date.parse(clock.startedAt);
  const deadline = start + minutes * 60_000;
  const end = clock.endedAt ? Math.min(Date.parse(clock.endedAt), deadline) : deadline;
  if (clock.setHash && hash && clock.setHash !== hash) {
    return { phase: 'over', remainingSeconds: 0, deadline: end, otherCopy: true };
  }
  // An end on record is the end, whatever the caller's (possibly stale) clock says.
  if (clock.endedAt || now >= end) return { phase: 'over', remainingSeconds: 0, deadline: end };
  return { phase: 'running', remainingSeconds: Math.ceil((end - now) / 1000), deadline: end };
}

/** `1:05:09`, `4:07`: the clock as people read it. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** A file name from free text (a set title): lower-case letters, digits and dashes. */
export function fileSlug(text: string, fallback = 'set'): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase()
      .slice(0, 60) || fallback
  );
}
