import { countedScore } from '../../core/exercises/score';
import type { StoredResult } from '../../storage/lab-db';

/** Pass or fail and the score of an exercise's last graded run, or "not run yet". */
export function ResultBadge({ result }: { result: StoredResult | undefined }) {
  if (!result) return <span className="result-badge result-none">Not run yet</span>;
  const { report } = result;
  return (
    <span
      className={`result-badge ${report.passed ? 'result-pass' : 'result-fail'}`}
      title={`Graded ${new Date(result.savedAt).toLocaleString()}`}
    >
      {report.passed ? 'Passed' : 'Failed'} · {Math.round(countedScore(report))}/100
    </span>
  );
}
