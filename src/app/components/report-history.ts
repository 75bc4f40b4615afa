/**
 * The epoch history that goes with a report on screen, for the report's curve readings
 * (core/grading/diagnosis.ts): the run just finished here, or the stored result the report came
 * from. A report from elsewhere (a roster's submission) passes its history to ReportView itself.
 */
import type { Report } from '../../core/exercises/schema';
import type { EpochLogs } from '../../core/grading/diagnosis';
import { useResultsStore } from '../stores/results-store';
import { useRunStore } from '../stores/run-store';

export function useReportHistory(report: Report): readonly EpochLogs[] | undefined {
  const fromRun = useRunStore((s) =>
    s.finishedRun?.outcome.report === report ? s.finishedRun.outcome.history : undefined,
  );
  const fromStore = useResultsStore((s) => {
    const stored = s.results[report.exerciseId];
    return stored?.report === report ? stored.history : undefined;
  });
  return fromRun ?? fromStore;
}
