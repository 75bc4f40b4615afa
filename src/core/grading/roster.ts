/**
 * The roster: one row per submission (learner × exercise) after re-grading, and its writers: a
 * text table for the terminal, CSV, JSON and a self-contained HTML page.
 *
 * Every text in a row comes from a learner's file, so the writers treat it as hostile: CSV cells
 * are quoted per RFC 4180 and cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
 * tab or carriage return at the start or after a `,` or `;`) get a leading `'`; HTML escapes everything and the
 * page forbids scripts with its Content-Security-Policy.
 */
import type { Exercise, Report } from '../exercises/schema';
import { stripControlCharacters } from '../text/control-characters';
import type { Submission } from '../exercises/submission';
import type { RegradeFlag, RegradeResult } from './regrade';

export type RosterStatus = 'pass' | 'fail' | 'error';

export interface RosterRow {
  /** The file the submission came from (as the lead named it). */
  file: string;
  learner: string;
  setTitle: string;
  exerciseId: string;
  /** The re-grade's verdict; `error` when the file or its model could not be graded. */
  status: RosterStatus;
  /** The exercise's key metric: its first test target's metric, else accuracy. */
  metric: string;
  value: number | null;
  score: number | null;
  trainSeconds: number | null;
  /** The backend the learner trained on. */
  backend: string;
  flags: RegradeFlag[];
  /** Why the row is an error. */
  error?: string;
  /** The re-grade's full report, for the page and the JSON output. */
  report?: Report;
}

/** The key metric of an exercise and its value in a report. */
export function keyMetric(exercise: Pick<Exercise, 'targets'> | undefined, report: Report | null) {
  const target = exercise?.targets.find((t) => t.split === 'test');
  const metric = target?.metric ?? 'accuracy';
  if (!report) return { metric, value: null };
  const m = report.metrics;
  const value =
    metric === 'topKAccuracy'
      ? (m.topKAccuracy?.['5'] ?? null)
      : metric === 'accuracy' || metric === 'macroF1' || metric === 'loss' || metric === 'rocAuc'
        ? (m[metric] ?? null)
        : null;
  return { metric, value };
}

export function rosterRow(
  file: string,
  submission: Submission,
  result: RegradeResult,
  exercise?: Pick<Exercise, 'targets'>,
): RosterRow {
  const { metric, value } = keyMetric(exercise, result.report);
  return {
    file,
    learner: submission.learner.name,
    setTitle: submission.setTitle ?? '',
    exerciseId: submission.exerciseId,
    status: result.report ? (result.report.passed ? 'pass' : 'fail') : 'error',
    metric,
    value,
    score: result.report?.score ?? null,
    trainSeconds: submission.report.timings.trainSeconds,
    backend: submission.environment.backend,
    flags: result.flags,
    ...(result.report ? {} : { error: 'not graded: see the flags' }),
    ...(result.report ? { report: result.report } : {}),
  };
}

/** A row for a file that could not be read or graded at all. */
export function rosterErrorRow(file: string, error: string, known: Partial<RosterRow> = {}): RosterRow {
  return {
    file,
    learner: '',
    setTitle: '',
    exerciseId: '',
    metric: '',
    value: null,
    score: null,
    trainSeconds: null,
    backend: '',
    flags: [],
    ...known,
    status: 'error',
    error,
  };
}

/** True when a row needs the lead's attention: not a clean pass. */
export function rowNeedsAttention(row: RosterRow): boolean {
  return row.status !== 'pass' || row.flags.length > 0;
}

const COLUMNS = [
  'learner',
  'set',
  'exercise',
  'result',
  'metric',
  'value',
  'score',
  'train_seconds',
  'backend',
  'flags',
  'file',
  'error',
] as const;

function cells(row: RosterRow): string[] {
  return [
    row.learner,
    row.setTitle,
    row.exerciseId,
    row.status,
    row.metric,
    row.value === null ? '' : row.value.toFixed(4),
    row.score === null ? '' : row.score.toFixed(1),
    row.trainSeconds === null ? '' : row.trainSeconds.toFixed(1),
    row.backend,
    row.flags.map((f) => `${f.code}: ${f.message}`).join(' | '),
    row.file,
    row.error ?? '',
  ];
}

/**
 * Text a spreadsheet would run as a formula: `=`, `+`, `-`, `@`, tab or carriage return (or the
 * full-width `＝＋－＠` some locales accept) at the start of a cell, after spaces, or after a `,` or
 * `;`: a spreadsheet whose locale separates fields with `;` splits `x;=cmd|' /C calc'!A0` there, and
 * the second half would start with `=`.
 */
const FORMULA = /(?:^|[,;])\s*[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

/**
 * One CSV cell: formula-like text defused with a leading `'`, then quoted when it holds a quote, a
 * separator of any locale (`,` or `;`) or a line break, so no spreadsheet splits it.
 */
export function csvCell(text: string): string {
  const safe = FORMULA.test(text) ? `'${text}` : text;
  return /[",;\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180: CRLF line ends, a header row. */
export function rosterToCsv(rows: readonly RosterRow[]): string {
  return [COLUMNS.join(','), ...rows.map((row) => cells(row).map(csvCell).join(','))].join('\r\n') + '\r\n';
}

export function rosterToJson(rows: readonly RosterRow[]): string {
  return `${JSON.stringify({ format: 'cv-lab-roster', version: 1, rows }, null, 2)}\n`;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A page that opens anywhere, offline: inline styles, no scripts (and a CSP that forbids them). */
export function rosterToHtml(
  rows: readonly RosterRow[],
  options: { title?: string; generatedAt?: string } = {},
): string {
  const title = options.title ?? 'CV Lab roster';
  const generatedAt = options.generatedAt ?? new Date().toISOString();
  const head = `<tr>${COLUMNS.map((c) => `<th>${escapeHtml(c.replace('_', ' '))}</th>`).join('')}</tr>`;
  const body = rows
    .map((row) => {
      const tds = cells(row)
        .map((cell) => `<td>${escapeHtml(cell)}</td>`)
        .join('');
      return `<tr class="${row.status}${row.flags.length ? ' flagged' : ''}">${tds}</tr>`;
    })
    .join('\n');
  const passed = rows.filter((r) => r.status === 'pass').length;
  const flagged = rows.filter((r) => r.flags.length).length;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
tr.pass td:nth-child(4) { color: #1a7f37; font-weight: 600; }
tr.fail td:nth-child(4), tr.error td:nth-child(4) { color: #c62828; font-weight: 600; }
tr.flagged { background: #fff4e5; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${rows.length} submissions, ${passed} passed, ${flagged} flagged. Generated ${escapeHtml(generatedAt)}.</p>
<table>
<thead>${head}</thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}

/** The table the CLI prints: aligned columns, flags and errors on their own lines below a row. */
export function formatRosterTable(rows: readonly RosterRow[]): string {
  const header = ['learner', 'exercise', 'result', 'metric', 'score', 'time', 'backend', 'flags'];
  const lines = rows.map((row) => [
    oneLine(row.learner) || '?',
    row.exerciseId || '?',
    row.status.toUpperCase(),
    row.value === null ? '' : `${row.metric} ${row.value.toFixed(4)}`,
    row.score === null ? '' : row.score.toFixed(1),
    row.trainSeconds === null ? '' : `${row.trainSeconds.toFixed(1)} s`,
    oneLine(row.backend),
    row.flags.map((f) => f.code).join(',') || (row.status === 'error' ? '' : '-'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cellsOfRow: string[]) =>
    cellsOfRow
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const out = [format(header)];
  rows.forEach((row, i) => {
    out.push(format(lines[i]));
    for (const flag of row.flags) out.push(`    ${flag.code}: ${oneLine(flag.message)}`);
    if (row.error) out.push(`    error (${oneLine(row.file)}): ${oneLine(row.error)}`);
  });
  return out.join('\n');
}

/** Control characters out, so a learner's name cannot move the terminal's cursor or colour it. */
function oneLine(text: string): string {
  return stripControlCharacters(text).slice(0, 80);
}
