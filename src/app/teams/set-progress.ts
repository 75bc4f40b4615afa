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
}

/** Where the set's exam stands at `now` (ms), from its clock (start, optional early end). */
export function examView(
  set: Pick<CvSet, 'exam'>,
  clock: { startedAt: string; endedAt?: string } | undefined,
  now: number,
): ExamView {
  if (!set.exam?.enabled) return { phase: 'none', remainingSeconds: 0, deadline: null };
  const total = set.exam.minutes * 60;
  if (!clock) return { phase: 'not-started', remainingSeconds: total, deadline: null };
  const deadline = Date.parse(clock.startedAt) + total * 1000;
  const end = clock.endedAt ? Math.min(Date.parse(clock.endedAt), deadline) : deadline;
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
