import type { Report } from '../../core/exercises/schema';
import { countedScore } from '../../core/exercises/score';
import type { StoredResult } from '../../storage/lab-db';

/** A report in a few words: "Passed · 100/100", "Failed · 40/100", or "Handed in" (a quiz in an exam). */
export function reportBadgeText(report: Report): string {
  if (report.gradedByLead) return 'Handed in · graded by your team lead';
  return `${report.passed ? 'Passed' : 'Failed'} · ${Math.round(countedScore(report))}/100`;
}

export function reportBadgeClass(report: Report): string {
  if (report.gradedByLead) return 'result-badge result-none';
  return `result-badge ${report.passed ? 'result-pass' : 'result-fail'}`;
}

/** Pass or fail and the score of an exercise's last graded run, or "not run yet". */
export function ResultBadge({ result }: { result: StoredResult | undefined }) {
  if (!result) return <span className="result-badge result-none">Not run yet</span>;
  const { report } = result;
  return (
    <span className={reportBadgeClass(report)} title={`Graded ${new Date(result.savedAt).toLocaleString()}`}>
      {reportBadgeText(report)}
    </span>
  );
}
