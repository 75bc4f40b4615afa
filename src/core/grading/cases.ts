/**
 * Grading by cases, for exercises whose answer is not a trained model: function exercises (the
 * learner's functions are called on hidden inputs and compared with the reference solution's
 * results) and quizzes (each question is a case).
 *
 * The report has the same shape as a model's: `accuracy` is the share of cases passed, every case
 * is a check with its detail, and the exercise's targets (usually accuracy at least 1) decide the pass.
 */
import type { Check, Exercise, Report } from '../exercises/schema';
import { checkTargets, targetAttainment } from './rules';
import { scoreReport } from './grade';

export interface CaseResult {
  name: string;
  passed: boolean;
  detail: string;
}

export interface CaseReportInput {
  exercise: Exercise;
  cases: CaseResult[];
  seconds: number;
  backend: string;
  /** Hash of what the cases were built from (the cases source, the quiz), for the report. */
  casesHash: string;
  /** Hash of the learner's code: a case-graded exercise has no model weights to hash. */
  codeHash: string;
}

export function buildCaseReport(input: CaseReportInput): Report {
  const { exercise, cases } = input;
  const passedCount = cases.filter((c) => c.passed).length;
  const share = cases.length ? passedCount / cases.length : 0;
  const caseChecks: Check[] = cases.map((c, i) => ({
    id: `case:${i + 1}`,
    label: c.name,
    passed: c.passed,
    detail: c.detail,
  }));
  const targets = exercise.targets.length
    ? exercise.targets
    : [{ metric: 'accuracy' as const, split: 'test' as const, atLeast: 1 }];
  const targetChecks = checkTargets(targets, { test: { accuracy: share, macroF1: share } }).map(
    (check, i) => ({
      ...check,
      label: `Share of hidden cases passed at least ${targets[i].atLeast ?? 1}`,
      detail: `${passedCount} of ${cases.length} cases pass`,
    }),
  );
  const passed = targetChecks.every((c) => c.passed);
  const attainments = targets.map((t) => targetAttainment(t, share));
  return {
    format: 'cv-lab-report',
    version: 1,
    exerciseId: exercise.id,
    passed,
    score: passed ? 100 : scoreReport(false, attainments, 0, 0),
    metrics: {
      accuracy: share,
      macroF1: share,
      perClass: [],
      confusionMatrix: [],
      classNames: [],
      testCount: cases.length,
    },
    checks: [...targetChecks, ...caseChecks],
    timings: { trainSeconds: input.seconds, gradeSeconds: 0 },
    backend: input.backend,
    epochs: 0,
    params: 0,
    datasetHash: input.casesHash,
    modelHash: input.codeHash,
    gradedAt: new Date().toISOString(),
  };
}

/** A value made comparable: tensors become `{ shape, values }`, typed arrays plain arrays. */
export type Plain = number | string | boolean | null | undefined | Plain[] | { [key: string]: Plain };

export interface Comparison {
  equal: boolean;
  /** Where the first difference is, e.g. `[2][1]: expected 0.5, got 0.25`. */
  detail: string;
}

/**
 * Compares a learner's value with the reference, numbers within `tolerance` (absolute, plus the
 * same relative to the expected value, so 1e-4 accepts float32 rounding on values of any size).
 */
export function compareValues(expected: Plain, actual: Plain, tolerance: number, path = ''): Comparison {
  const here = path || 'value';
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return diff(here, expected, actual);
    if (Number.isNaN(expected) && Number.isNaN(actual)) return same;
    const ok = Math.abs(expected - actual) <= tolerance * (1 + Math.abs(expected));
    return ok ? same : diff(here, expected, actual);
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return diff(here, expected, actual);
    if (actual.length !== expected.length) {
      return { equal: false, detail: `${here}: expected ${expected.length} items, got ${actual.length}` };
    }
    for (let i = 0; i < expected.length; i++) {
      const inner = compareValues(expected[i], actual[i], tolerance, `${path}[${i}]`);
      if (!inner.equal) return inner;
    }
    return same;
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return diff(here, expected, actual);
    for (const key of Object.keys(expected)) {
      if (!(key in actual)) return { equal: false, detail: `${here}: missing "${key}"` };
      const inner = compareValues(expected[key], actual[key], tolerance, path ? `${path}.${key}` : key);
      if (!inner.equal) return inner;
    }
    return same;
  }
  return expected === actual ? same : diff(here, expected, actual);
}

const same: Comparison = { equal: true, detail: '' };

function diff(path: string, expected: Plain, actual: Plain): Comparison {
  return { equal: false, detail: `${path}: expected ${preview(expected)}, got ${preview(actual)}` };
}

/** A short text of a value for a check's detail: numbers to 4 places, long arrays cut. */
export function preview(value: Plain): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  if (Array.isArray(value)) {
    const items = value.slice(0, 6).map(preview).join(', ');
    return `[${items}${value.length > 6 ? `, … ${value.length} items` : ''}]`;
  }
  if (value && typeof value === 'object') {
    if ('shape' in value && 'values' in value)
      return `tensor of shape [${(value.shape as number[]).join(', ')}]`;
    return `{${Object.keys(value).slice(0, 5).join(', ')}}`;
  }
  return JSON.stringify(value) ?? String(value);
}
