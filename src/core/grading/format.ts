/**
 * The grading report as plain text, the way the CLI prints it: verdict and score first, then what
 * failed and why in words, what the training curves say and the next step (diagnosis.ts), then the
 * figures, then every check with what was found.
 */
import type { Report } from '../exercises/schema';
import { countedScore, describeBand, describeHintsUsed } from '../exercises/score';
import { diagnoseReport, type EpochLogs } from './diagnosis';
import { formatCount, formatMetric } from './rules';

/** Function exercises and quizzes are graded by cases: no classes, no confusion matrix. */
export function isCaseReport(report: Report): boolean {
  return report.metrics.perClass.length === 0 && report.checks.some((c) => c.id.startsWith('case:'));
}

export interface FormatReportOptions {
  /** The run's epoch history, for the curve readings; without it the diagnosis reads checks only. */
  history?: readonly EpochLogs[];
}

export function formatReport(report: Report, options: FormatReportOptions = {}): string {
  const { metrics } = report;
  const lines: string[] = [];
  const verdict = report.passed ? 'PASSED' : 'FAILED';
  lines.push(`${verdict}  ${report.exerciseId}  score ${countedScore(report).toFixed(1)} / 100`);
  if (report.band) {
    const hints = report.hintsUsed === undefined ? '' : `; ${describeHintsUsed(report.hintsUsed)}`;
    lines.push(`Exam ${describeBand(report.band)}${hints}`);
  }
  const diagnosis = diagnoseReport(report, options.history);
  lines.push(diagnosis.summary);
  if (diagnosis.failures.length > 1) {
    lines.push(...diagnosis.failures.slice(1).map((failure) => `  also: ${failure}`));
  }
  if (diagnosis.readings.length) {
    lines.push('', 'What the curves say');
    for (const reading of diagnosis.readings) lines.push(`  - ${reading.title}: ${reading.evidence}`);
  }
  if (diagnosis.nextStep) lines.push('', `Next step: ${diagnosis.nextStep}`);
  lines.push('');

  if (isCaseReport(report)) {
    const passed = report.checks.filter((c) => c.id.startsWith('case:') && c.passed).length;
    lines.push(`Hidden cases: ${passed} of ${formatCount(metrics.testCount)} pass`);
    lines.push('');
  } else {
    lines.push(`Metrics (test split, ${formatCount(metrics.testCount)} images)`);
    const figures: [string, string][] = [
      ['accuracy', formatMetric(metrics.accuracy)],
      ['macro F1', formatMetric(metrics.macroF1)],
    ];
    if (metrics.loss !== undefined) figures.push(['loss', formatMetric(metrics.loss)]);
    if (metrics.rocAuc !== undefined) figures.push(['ROC-AUC', formatMetric(metrics.rocAuc)]);
    if (metrics.binary) {
      const at = `at threshold ${metrics.binary.threshold}`;
      figures.push([`recall of class 1 ${at}`, formatMetric(metrics.binary.recall)]);
      figures.push([`precision of class 1 ${at}`, formatMetric(metrics.binary.precision)]);
    }
    for (const [k, value] of Object.entries(metrics.topKAccuracy ?? {})) {
      figures.push([`top-${k} accuracy`, formatMetric(value)]);
    }
    lines.push(...table(figures, ['left', 'right']).map(indent));
    lines.push('');

    lines.push('Per class');
    const perClassRows: string[][] = [
      ['class', 'precision', 'recall', 'F1', 'support'],
      ...metrics.perClass.map((c) => [
        c.className,
        formatMetric(c.precision),
        formatMetric(c.recall),
        formatMetric(c.f1),
        formatCount(c.support),
      ]),
    ];
    lines.push(...table(perClassRows, ['left', 'right', 'right', 'right', 'right']).map(indent));
    lines.push('');

    lines.push('Confusion matrix (rows: true class, columns: predicted class)');
    const indices = metrics.confusionMatrix.map((_, i) => String(i));
    const matrixRows: string[][] = [
      ['', ...indices],
      ...metrics.confusionMatrix.map((row, i) => [
        `${i} ${metrics.classNames[i] ?? ''}`.trim(),
        ...row.map(String),
      ]),
    ];
    lines.push(...table(matrixRows, ['left', ...indices.map(() => 'right' as const)]).map(indent));
    lines.push('');
  }
  lines.push('Checks');
  for (const check of report.checks) {
    lines.push(`  ${check.passed ? '✓' : '✗'} ${check.label}: ${check.detail}`);
  }
  lines.push('');

  lines.push(
    `Model: ${formatCount(report.params)} parameters, ${report.epochs} epoch${report.epochs === 1 ? '' : 's'}, ` +
      `weights sha256 ${report.modelHash.slice(0, 16)}`,
  );
  lines.push(
    `Run: backend ${report.backend}, trained in ${formatSeconds(report.timings.trainSeconds)}, ` +
      `graded in ${formatSeconds(report.timings.gradeSeconds)}, at ${report.gradedAt}`,
  );
  lines.push(`Dataset: sha256 ${report.datasetHash.slice(0, 16)}`);
  return lines.join('\n');
}

type Align = 'left' | 'right';

/** Pads every column to its widest cell, two spaces apart. */
function table(rows: readonly (readonly string[])[], align: readonly Align[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

function indent(line: string): string {
  return `  ${line}`;
}

/** `52.3 s`, `2 min 7 s`: how the CLI and the page say a duration. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}
