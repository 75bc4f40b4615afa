import { countedScore, describeBand, describeHintsUsed } from '../../core/exercises/score';
import type { Report } from '../../core/exercises/schema';
import { diagnoseReport, type EpochLogs } from '../../core/grading/diagnosis';
import { ConfusionMatrix } from './ConfusionMatrix';
import { useReportHistory } from './report-history';

const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
const fixed = (value: number) => value.toFixed(4);

/**
 * The grader's report: verdict and score, what failed and why with what the curves say and the next
 * step (core/grading/diagnosis.ts), then checks, metrics, confusion matrix and per-class figures.
 * `history` is the run's epoch history; without it, the run or stored result of this very report.
 */
export function ReportView({ report, history }: { report: Report; history?: readonly EpochLogs[] }) {
  const { metrics } = report;
  // Function exercises and quizzes are graded on cases: no classes, so no matrix or per-class table.
  const byCases = metrics.confusionMatrix.length === 0 && metrics.perClass.length === 0;
  const foundHistory = useReportHistory(report);
  const diagnosis = diagnoseReport(report, history ?? foundHistory);
  const rows: [string, string][] = [
    ['Test accuracy', percent(metrics.accuracy)],
    ['Macro F1', fixed(metrics.macroF1)],
  ];
  if (metrics.loss !== undefined) rows.push(['Test loss', fixed(metrics.loss)]);
  if (metrics.rocAuc !== undefined) rows.push(['ROC-AUC', fixed(metrics.rocAuc)]);
  for (const [k, value] of Object.entries(metrics.topKAccuracy ?? {}))
    rows.push([`Top-${k} accuracy`, percent(value)]);
  rows.push(
    ['Test images', String(metrics.testCount)],
    ['Epochs', String(report.epochs)],
    ['Parameters', report.params.toLocaleString('en')],
    ['Backend', report.backend],
    ['Training time', `${report.timings.trainSeconds.toFixed(1)} s`],
    ['Grading time', `${report.timings.gradeSeconds.toFixed(1)} s`],
  );

  return (
    <section className="report" data-testid="report" aria-label="Grading report">
      <header className={`report-verdict ${report.passed ? 'verdict-pass' : 'verdict-fail'}`}>
        <span className="verdict-word" data-testid="verdict">
          {report.gradedByLead ? 'Handed in' : report.passed ? 'Passed' : 'Not passed yet'}
        </span>
        <span className="verdict-score" data-testid="score">
          {report.gradedByLead ? 'Your team lead grades it' : `Score ${Math.round(countedScore(report))}/100`}
        </span>
        {report.band && (
          <span className="verdict-band" data-testid="band-score">
            Exam {describeBand(report.band)}
            {report.hintsUsed !== undefined && ` · ${describeHintsUsed(report.hintsUsed)}`}
          </span>
        )}
        <span className="verdict-time">graded {new Date(report.gradedAt).toLocaleString()}</span>
      </header>

      <div className="report-diagnosis" data-testid="diagnosis">
        <p className="diagnosis-summary" data-testid="diagnosis-summary">
          {diagnosis.summary}
        </p>
        {diagnosis.failures.length > 1 && (
          <ul className="diagnosis-failures">
            {diagnosis.failures.slice(1).map((failure) => (
              <li key={failure}>{failure}</li>
            ))}
          </ul>
        )}
        {diagnosis.readings.length > 0 && (
          <>
            <h3>What the curves say</h3>
            <ul className="diagnosis-readings" data-testid="diagnosis-readings">
              {diagnosis.readings.map((reading) => (
                <li key={reading.kind} data-kind={reading.kind}>
                  <strong>{reading.title}</strong>: {reading.evidence}
                </li>
              ))}
            </ul>
          </>
        )}
        {diagnosis.nextStep && (
          <p className="diagnosis-next" data-testid="diagnosis-next">
            <strong>Next step:</strong> {diagnosis.nextStep}
          </p>
        )}
      </div>

      <div className="report-grid">
        <div>
          <h3>Checks</h3>
          <ul className="checks" data-testid="checks">
            {report.checks.map((check) => (
              <li key={check.id} className={check.passed ? 'check-pass' : 'check-fail'}>
                <span className="check-mark" aria-label={check.passed ? 'passed' : 'failed'}>
                  {check.passed ? '✓' : '✗'}
                </span>
                <span>
                  <strong>{check.label}</strong>
                  <span className="check-detail">{check.detail}</span>
                </span>
              </li>
            ))}
          </ul>
          <h3>Metrics</h3>
          <table className="data-table metrics-table" data-testid="metrics">
            <tbody>
              {rows.map(([label, value]) => (
                <tr key={label}>
                  <th scope="row">{label}</th>
                  <td>{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {!byCases && (
          <div>
            <h3>Confusion matrix</h3>
            <ConfusionMatrix matrix={metrics.confusionMatrix} classNames={metrics.classNames} />
          </div>
        )}
      </div>

      {!byCases && <h3>Per class</h3>}
      {!byCases && (
        <table className="data-table per-class" data-testid="per-class">
          <thead>
            <tr>
              <th>Class</th>
              <th>Precision</th>
              <th>Recall</th>
              <th>F1</th>
              <th>Images</th>
            </tr>
          </thead>
          <tbody>
            {metrics.perClass.map((row) => (
              <tr key={row.className}>
                <th scope="row">{row.className}</th>
                <td>{fixed(row.precision)}</td>
                <td>{fixed(row.recall)}</td>
                <td>{fixed(row.f1)}</td>
                <td>{row.support}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="report-hashes">
        Dataset <code>{report.datasetHash.slice(0, 16)}</code> · model{' '}
        <code>{report.modelHash.slice(0, 16)}</code>
      </p>
    </section>
  );
}
