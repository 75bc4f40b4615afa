/**
 * The roster: one row per submission (learner × exercise) after re-grading, and its writers: a
 * text table for the terminal, CSV, JSON, a self-contained HTML page and a gradebook CSV (one row per
 * learner), with per-learner totals (`summarizeRoster`).
 *
 * Every text in a row comes from a learner's file, so the writers treat it as hostile: CSV cells
 * are quoted per RFC 4180 and cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
 * tab or carriage return at the start or after a `,` or `;`) get a leading `'`; HTML escapes everything and the
 * page forbids scripts with its Content-Security-Policy.
 */
import type { Exercise, Report } from '../exercises/schema';
import { examScore, type CvSet, type ExamResult } from '../exercises/set';
import { stripControlCharacters } from '../text/control-characters';
import type { Submission } from '../exercises/submission';
import type { RegradeResult } from './regrade';

export type RosterStatus = 'pass' | 'fail' | 'error';

/**
 * A flag on a row. Any code is rendered as it comes (`code: message`), so flags the re-grader adds
 * later (lateness, exam state, similarity) reach every report without a change here.
 */
export interface RosterFlag {
  code: string;
  message: string;
}

export interface RosterRow {
  /** The file the submission came from: its base name only, never a local path. */
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
  flags: RosterFlag[];
  /** Why the row is an error. */
  error?: string;
  /** The re-grade's full report, for the page and the JSON output. */
  report?: Report;
  /** When the learner made the submission (its `createdAt`), for lateness. */
  submittedAt?: string;
  /** The lead's comment on this submission. */
  comment?: string;
  /**
   * The learner's exam total (out of 100), when whoever built the row knows it (an exam record);
   * otherwise the reports compute one from the best attempts when the set is in exam mode.
   */
  examTotal?: number | null;
  /** Whether the code, trained again, gave this model, with the figures (grading/reproduce.ts). */
  reproduction?: { reproduced: boolean; summary: string };
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

/** The last part of a path, `/` or `\` separated: reports never carry a lead's folders. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
}

/** `text` with every occurrence of the full path `file` replaced by its base name. */
function withoutPath(text: string, file: string): string {
  const base = baseName(file);
  return file && file !== base ? text.split(file).join(base) : text;
}

export function rosterRow(
  file: string,
  submission: Submission,
  result: RegradeResult,
  exercise?: Pick<Exercise, 'targets'>,
): RosterRow {
  const { metric, value } = keyMetric(exercise, result.report);
  return {
    file: baseName(file),
    learner: submission.learner.name,
    setTitle: submission.setTitle ?? '',
    exerciseId: submission.exerciseId,
    status: result.report ? (result.report.passed ? 'pass' : 'fail') : 'error',
    metric,
    value,
    score: result.report?.score ?? null,
    trainSeconds: submission.report.timings.trainSeconds,
    backend: submission.environment.backend,
    flags: result.flags.map((f) => ({ code: f.code, message: withoutPath(f.message, file) })),
    submittedAt: submission.createdAt,
    ...(result.report ? {} : { error: 'not graded: see the flags' }),
    ...(result.report ? { report: result.report } : {}),
    ...(result.reproduction ? { reproduction: result.reproduction } : {}),
  };
}

/** A row for a file that could not be read or graded at all. */
export function rosterErrorRow(file: string, error: string, known: Partial<RosterRow> = {}): RosterRow {
  return {
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
    file: baseName(file),
    status: 'error',
    error: withoutPath(error, file),
  };
}

/** True when a row needs the lead's attention: not a clean pass. */
export function rowNeedsAttention(row: RosterRow): boolean {
  return row.status !== 'pass' || row.flags.length > 0;
}

/**
 * What a report shows as a row's result: `error`, `flagged` (graded, but a flag stands: never shown
 * as a pass), `fail` or `pass`.
 */
export type RowVerdict = 'pass' | 'fail' | 'flagged' | 'error';

export function rowVerdict(row: RosterRow): RowVerdict {
  if (row.status === 'error') return 'error';
  if (row.flags.length > 0) return 'flagged';
  return row.status;
}

/** Whether a row was made after the due date (or carries a `late` flag from the re-grader). */
export function rowIsLate(row: RosterRow, dueDate: string | undefined): boolean {
  if (row.flags.some((f) => f.code === 'late')) return true;
  if (!dueDate || !row.submittedAt) return false;
  const due = Date.parse(dueDate);
  const made = Date.parse(row.submittedAt);
  return Number.isFinite(due) && Number.isFinite(made) && made > due;
}

// ---- per-learner totals ----------------------------------------------------------------------

/** What the reports say about the set the roster was graded against (never its private parts). */
export interface RosterReportContext {
  /** The lead's set: its title, due date, exercise order and exam settings. */
  set?: CvSet | null;
  /** Exercise difficulties for the exam score (the catalog); unknown ones count as intermediate. */
  difficulties?: readonly Pick<Exercise, 'id' | 'difficulty'>[];
  /** Exercise titles for column heads (the catalog); the id where unknown. */
  exerciseTitles?: Readonly<Record<string, string>>;
  title?: string;
  generatedAt?: string;
}

export interface LearnerExerciseCell {
  attempts: number;
  /** The best clean (unflagged) re-graded attempt's score, 0 to 100; null when there is none. */
  best: number | null;
  passed: boolean;
  flagged: number;
  errors: number;
  late: boolean;
  /** The lead's comments on this learner's attempts at the exercise, joined. */
  comment: string;
}

export interface LearnerSummary {
  learner: string;
  exercises: Record<string, LearnerExerciseCell>;
  /** Exercises passed by a clean attempt. */
  passed: number;
  /** The mean of the best clean scores over the report's exercises (0 for none), one decimal. */
  total: number;
  /** Out of 100, when the set is in exam mode or the rows carry one; else null. */
  exam: number | null;
  late: number;
  flagged: number;
  errors: number;
}

export interface RosterSummary {
  exercises: string[];
  learners: LearnerSummary[];
  counts: { rows: number; pass: number; fail: number; flagged: number; error: number; late: number };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Learners (alphabetical) × exercises (the set's order, then the order first seen). A flagged row
 * never counts towards a total: only clean re-graded attempts do, the best of them per exercise.
 * Rows without a learner (unreadable files) are counted in `counts.error` only.
 */
export function summarizeRoster(
  rows: readonly RosterRow[],
  context: RosterReportContext = {},
): RosterSummary {
  const set = context.set ?? undefined;
  const exercises = [
    ...new Set([...(set?.exercises.map((e) => e.id) ?? []), ...rows.map((r) => r.exerciseId)]),
  ].filter(Boolean);
  const byLearner = new Map<string, RosterRow[]>();
  for (const row of rows) {
    if (!row.learner) continue;
    byLearner.set(row.learner, [...(byLearner.get(row.learner) ?? []), row]);
  }
  const learners = [...byLearner.keys()]
    .sort((a, b) => a.localeCompare(b))
    .map((learner): LearnerSummary => {
      const own = byLearner.get(learner)!;
      const cells: Record<string, LearnerExerciseCell> = {};
      const bestResults: Record<string, ExamResult> = {};
      for (const exerciseId of exercises) {
        const attempts = own.filter((r) => r.exerciseId === exerciseId);
        const clean = attempts.filter((r) => rowVerdict(r) === 'pass' || rowVerdict(r) === 'fail');
        const best = clean.reduce<RosterRow | null>(
          (b, r) =>
            !b ||
            Number(r.status === 'pass') > Number(b.status === 'pass') ||
            (r.status === b.status && (r.score ?? 0) > (b.score ?? 0))
              ? r
              : b,
          null,
        );
        if (best) bestResults[exerciseId] = { passed: best.status === 'pass', score: best.score ?? 0 };
        cells[exerciseId] = {
          attempts: attempts.length,
          best: best ? (best.score ?? 0) : null,
          passed: best?.status === 'pass',
          flagged: attempts.filter((r) => r.status !== 'error' && r.flags.length > 0).length,
          errors: attempts.filter((r) => r.status === 'error').length,
          late: attempts.some((r) => rowIsLate(r, set?.dueDate)),
          comment: [...new Set(attempts.map((r) => r.comment?.trim() ?? '').filter(Boolean))].join(' | '),
        };
      }
      const carried = own.map((r) => r.examTotal).filter((t): t is number => typeof t === 'number');
      const exam = carried.length
        ? Math.max(...carried)
        : set?.exam?.enabled
          ? examScore(bestResults, set, context.difficulties ?? []).total
          : null;
      const values = Object.values(cells);
      return {
        learner,
        exercises: cells,
        passed: values.filter((c) => c.passed).length,
        total: exercises.length
          ? round1(values.reduce((sum, c) => sum + (c.best ?? 0), 0) / exercises.length)
          : 0,
        exam,
        late: own.filter((r) => rowIsLate(r, set?.dueDate)).length,
        flagged: own.filter((r) => r.status !== 'error' && r.flags.length > 0).length,
        errors: own.filter((r) => r.status === 'error').length,
      };
    });
  const verdicts = rows.map(rowVerdict);
  return {
    exercises,
    learners,
    counts: {
      rows: rows.length,
      pass: verdicts.filter((v) => v === 'pass').length,
      fail: verdicts.filter((v) => v === 'fail').length,
      flagged: verdicts.filter((v) => v === 'flagged').length,
      error: verdicts.filter((v) => v === 'error').length,
      late: rows.filter((r) => rowIsLate(r, set?.dueDate)).length,
    },
  };
}

// ---- writers ---------------------------------------------------------------------------------

const COLUMNS = [
  'learner',
  'set',
  'exercise',
  'result',
  'regrade',
  'metric',
  'value',
  'score',
  'submitted_at',
  'late',
  'train_seconds',
  'backend',
  'flags',
  'file',
  'error',
  'comment',
  'reproduction',
] as const;

function cells(row: RosterRow, dueDate: string | undefined): string[] {
  return [
    row.learner,
    row.setTitle,
    row.exerciseId,
    rowVerdict(row),
    row.status,
    row.metric,
    row.value === null ? '' : row.value.toFixed(4),
    row.score === null ? '' : row.score.toFixed(1),
    row.submittedAt ?? '',
    rowIsLate(row, dueDate) ? 'late' : '',
    row.trainSeconds === null ? '' : row.trainSeconds.toFixed(1),
    row.backend,
    row.flags.map((f) => `${f.code}: ${f.message}`).join(' | '),
    baseName(row.file),
    row.error ?? '',
    row.comment ?? '',
    row.reproduction?.summary ?? '',
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

const csvLines = (lines: readonly (readonly string[])[]) =>
  lines.map((line) => line.map(csvCell).join(',')).join('\r\n') + '\r\n';

/** RFC 4180: CRLF line ends, a header row; one row per submission, errors included. */
export function rosterToCsv(rows: readonly RosterRow[], context: RosterReportContext = {}): string {
  const due = context.set?.dueDate;
  return csvLines([[...COLUMNS], ...rows.map((row) => cells(row, due))]);
}

/**
 * The gradebook: one row per learner, one column per exercise holding the best clean score (0 to
 * 100, one decimal; empty when there is none), then `Total` (the mean over the exercises) and,
 * when there is one, `Exam`. The first column is the learner's name, as gradebook imports
 * (Moodle, Canvas) expect an identifying column first. Numbers are plain (`87.5`), never localised.
 */
export function rosterToGradebookCsv(rows: readonly RosterRow[], context: RosterReportContext = {}): string {
  const summary = summarizeRoster(rows, context);
  const withExam = summary.learners.some((l) => l.exam !== null);
  const head = [
    'Learner',
    ...summary.exercises.map((id) => context.exerciseTitles?.[id] ?? id),
    'Total',
    ...(withExam ? ['Exam'] : []),
  ];
  const lines = summary.learners.map((l) => [
    l.learner,
    ...summary.exercises.map((id) => {
      const best = l.exercises[id]?.best;
      return best === null || best === undefined ? '' : best.toFixed(1);
    }),
    l.total.toFixed(1),
    ...(withExam ? [l.exam === null ? '' : l.exam.toFixed(1)] : []),
  ]);
  return csvLines([head, ...lines]);
}

/** The set as a report names it: never its private test or private cases. */
function setInfo(set: CvSet | null | undefined) {
  if (!set) return null;
  return {
    id: set.id,
    title: set.title,
    ...(set.dueDate ? { dueDate: set.dueDate } : {}),
    exam: set.exam?.enabled ? { minutes: set.exam.minutes, weights: set.exam.weights } : null,
    exercises: set.exercises.map((e) => e.id),
  };
}

export function rosterToJson(rows: readonly RosterRow[], context: RosterReportContext = {}): string {
  const summary = summarizeRoster(rows, context);
  const due = context.set?.dueDate;
  return `${JSON.stringify(
    {
      format: 'cv-lab-roster',
      version: 1,
      generatedAt: context.generatedAt ?? new Date().toISOString(),
      set: setInfo(context.set),
      counts: summary.counts,
      learners: summary.learners,
      rows: rows.map((row) => ({
        ...row,
        file: baseName(row.file),
        result: rowVerdict(row),
        late: rowIsLate(row, due),
        comment: row.comment ?? '',
      })),
    },
    null,
    2,
  )}\n`;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * A page that opens anywhere, offline: inline styles, no scripts (and a CSP that forbids them). The
 * set's title and due date, a summary that counts every row (errors too), per-learner totals (and
 * the exam score), then every submission. Only a clean pass is green; a flagged row says so.
 */
export function rosterToHtml(rows: readonly RosterRow[], options: RosterReportContext = {}): string {
  const set = options.set ?? undefined;
  const title = options.title ?? (set ? `${set.title}: roster` : 'CV Lab roster');
  const generatedAt = options.generatedAt ?? new Date().toISOString();
  const summary = summarizeRoster(rows, options);
  const c = summary.counts;
  const td = (text: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</td>`;
  const withExam = summary.learners.some((l) => l.exam !== null);
  const exerciseHead = (id: string) => escapeHtml(options.exerciseTitles?.[id] ?? id);
  const learnerHead = `<tr><th>learner</th>${summary.exercises.map((id) => `<th>${exerciseHead(id)}</th>`).join('')}<th>passed</th><th>total</th>${withExam ? '<th>exam</th>' : ''}<th>late</th><th>flagged</th><th>errors</th></tr>`;
  const learnerBody = summary.learners
    .map((l) => {
      const tds = summary.exercises.map((id) => {
        const cell = l.exercises[id];
        if (!cell || cell.attempts === 0) return td('—', 'missing');
        const parts = [cell.best === null ? 'no clean grade' : cell.best.toFixed(1)];
        if (cell.attempts > 1) parts.push(`${cell.attempts} attempts`);
        if (cell.flagged) parts.push(`${cell.flagged} flagged`);
        if (cell.errors) parts.push(`${cell.errors} errors`);
        if (cell.late) parts.push('late');
        if (cell.comment) parts.push(`comment: ${cell.comment}`);
        const cls = cell.flagged || cell.errors ? 'flagged' : cell.passed ? 'pass' : 'fail';
        return td(parts.join(' · '), cls);
      });
      return `<tr><th scope="row">${escapeHtml(l.learner)}</th>${tds.join('')}${td(`${l.passed} / ${summary.exercises.length}`)}${td(l.total.toFixed(1))}${withExam ? td(l.exam === null ? '' : l.exam.toFixed(1)) : ''}${td(String(l.late))}${td(String(l.flagged), l.flagged ? 'flagged' : '')}${td(String(l.errors), l.errors ? 'error' : '')}</tr>`;
    })
    .join('\n');
  const head = `<tr>${COLUMNS.map((col) => `<th>${escapeHtml(col.replace('_', ' '))}</th>`).join('')}</tr>`;
  const body = rows
    .map((row) => {
      const verdict = rowVerdict(row);
      const tds = cells(row, set?.dueDate)
        .map((cell, i) => td(cell, i === 3 ? `verdict ${verdict}` : ''))
        .join('');
      return `<tr class="${verdict}">${tds}</tr>`;
    })
    .join('\n');
  const setLines = set
    ? `<p>Set: <strong>${escapeHtml(set.title)}</strong> (${escapeHtml(set.id)})${set.dueDate ? `, due ${escapeHtml(set.dueDate)}` : ', no due date'}${set.exam?.enabled ? `, exam mode (${set.exam.minutes} min)` : ''}.</p>`
    : '<p>Graded without a set: the exercises&#39; own targets and test splits.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin-bottom: 2rem; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.pass, td.verdict.pass { color: #1a7f37; font-weight: 600; }
td.fail, td.error, td.verdict.fail, td.verdict.error { color: #c62828; font-weight: 600; }
td.flagged, td.verdict.flagged { color: #a04000; font-weight: 600; background: #fff4e5; }
tr.flagged, tr.error { background: #fff4e5; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${setLines}
<p class="summary">${c.rows} submissions: ${c.pass} passed, ${c.fail} failed, ${c.flagged} flagged, ${c.error} errors${c.late ? `; ${c.late} late` : ''}. Generated ${escapeHtml(generatedAt)}.</p>
<h2>Learners</h2>
<p>Each exercise shows the best score of a clean (unflagged) re-graded attempt; flagged attempts and errors count for nothing until the lead settles them.</p>
<table class="learners">
<thead>${learnerHead}</thead>
<tbody>
${learnerBody}
</tbody>
</table>
<h2>Submissions</h2>
<table class="rows">
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
    if (row.reproduction?.reproduced) {
      out.push(`    reproduced: ${stripControlCharacters(row.reproduction.summary)}`);
    }
    if (row.error) out.push(`    error (${oneLine(row.file)}): ${oneLine(row.error)}`);
  });
  return out.join('\n');
}

/** Control characters out, so a learner's name cannot move the terminal's cursor or colour it. */
function oneLine(text: string): string {
  return stripControlCharacters(text).slice(0, 80);
}
