/**
 * Runs the exercises graded by cases rather than by a trained model:
 * - function exercises: the learner's module exports functions (`iou`, `normalise`, ...); the grader
 *   calls them on the hidden cases that the exercise's `cases.ts` builds, and compares each result
 *   with the reference solution's on the same input;
 * - quizzes: the module exports `answers`, one entry per question id.
 */
import type * as tfType from '@tensorflow/tfjs';
import { buildCaseReport, compareValues, type CaseResult, type Plain } from '../grading/cases';
import { sha256Hex } from '../datasets/bytes';
import type { ExerciseBundle, QuizQuestion, Report } from '../exercises/schema';
import { compileLearnerModule, describeLearnerError, type LearnerModule } from './compile';
import type { TF } from './lab';
import { mulberry32 } from '../datasets/shuffle';

/** One hidden case: call the export `call` with `args`. Built by an exercise's `cases.ts`. */
export interface FunctionCase {
  name: string;
  call: string;
  args: unknown[];
}

/**
 * What an exercise's `cases.ts` exports by default: builds the hidden cases from `tf` and a seeded
 * `random()` in [0, 1). Tensors it makes are kept for the calls and freed after grading.
 */
export type CaseBuilder = (tf: TF, random: () => number) => FunctionCase[];

const CASES_SEED = 20261125;

const encoder = new TextEncoder();
const hashText = (text: string) => sha256Hex(encoder.encode(text));

/**
 * Grades a function exercise or a quiz from the learner's compiled module: the one entry used by a
 * run (run.ts) and by a lead's re-grade (grading/regrade.ts), so both give the same report.
 */
export function gradeByCases(
  tf: TF,
  bundle: ExerciseBundle,
  learner: LearnerModule,
  code: string,
  backend: string,
): Promise<Report> {
  return bundle.exercise.kind === 'quiz'
    ? gradeQuiz(bundle, learner, code)
    : gradeFunctionExercise(tf, bundle, learner, code, backend);
}

export async function gradeFunctionExercise(
  tf: TF,
  bundle: ExerciseBundle,
  learner: LearnerModule,
  code: string,
  backend: string,
): Promise<Report> {
  const started = Date.now();
  const { exercise } = bundle;
  const modules = { '@tensorflow/tfjs': tf, 'cv-lab': {} };
  const reference = compileLearnerModule(bundle.solution, modules);
  const casesModule = compileLearnerModule(bundle.cases ?? '', modules);
  const buildCases = casesModule.default as CaseBuilder | undefined;
  if (typeof buildCases !== 'function')
    throw new Error(`${exercise.id}/cases.ts must export a default function`);
  // A fixed seed: every learner meets the same hidden cases, and a re-grade gives the same report.
  const cases = tf.tidy(() => buildCases(tf, mulberry32(CASES_SEED)) as never) as FunctionCase[];
  const results: CaseResult[] = [];
  const missing = (exercise.functions ?? []).filter((name) => typeof learner[name] !== 'function');
  for (const testCase of cases) {
    if (missing.includes(testCase.call)) {
      results.push({
        name: testCase.name,
        passed: false,
        detail: `your module does not export a function \`${testCase.call}\``,
      });
      continue;
    }
    results.push(await runCase(tf, testCase, reference, learner, exercise.tolerance));
  }
  tf.dispose(cases.flatMap((c) => c.args.filter((arg): arg is tfType.Tensor => arg instanceof tf.Tensor)));
  return buildCaseReport({
    exercise,
    cases: results,
    seconds: (Date.now() - started) / 1000,
    backend,
    casesHash: await hashText(bundle.cases ?? ''),
    codeHash: await hashText(code),
  });
}

async function runCase(
  tf: TF,
  testCase: FunctionCase,
  reference: LearnerModule,
  learner: LearnerModule,
  tolerance: number,
): Promise<CaseResult> {
  tf.engine().startScope();
  try {
    const expected = await toPlain(
      tf,
      await (reference[testCase.call] as Fn)(...cloneArgs(tf, testCase.args)),
    );
    let actual: Plain;
    try {
      actual = await toPlain(tf, await (learner[testCase.call] as Fn)(...cloneArgs(tf, testCase.args)));
    } catch (error) {
      const info = describeLearnerError(error);
      return {
        name: testCase.name,
        passed: false,
        detail: `threw ${info.message}${info.line ? ` (line ${info.line})` : ''}`,
      };
    }
    const comparison = compareValues(expected, actual, tolerance);
    return {
      name: testCase.name,
      passed: comparison.equal,
      detail: comparison.equal ? 'matches the reference' : comparison.detail,
    };
  } finally {
    tf.engine().endScope();
  }
}

type Fn = (...args: unknown[]) => unknown;

/** Each call gets its own copies, so a function that disposes or mutates its input harms no other call. */
function cloneArgs(tf: TF, args: unknown[]): unknown[] {
  return args.map((arg) => {
    if (arg instanceof tf.Tensor) return (arg as tfType.Tensor).clone();
    return typeof structuredClone === 'function' ? structuredClone(arg) : JSON.parse(JSON.stringify(arg));
  });
}

/** Turns whatever a function returned into plain data: tensors to `{ shape, values }`. */
async function toPlain(tf: TF, value: unknown): Promise<Plain> {
  if (value instanceof tf.Tensor) {
    const tensor = value as tfType.Tensor;
    return { shape: tensor.shape, values: (await tensor.array()) as Plain };
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>);
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => toPlain(tf, v)));
  if (value && typeof value === 'object') {
    const out: Record<string, Plain> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = await toPlain(tf, inner);
    return out;
  }
  return value as Plain;
}

/** A quiz: every question is a case; the learner's module exports `answers` by question id. */
export async function gradeQuiz(
  bundle: ExerciseBundle,
  learner: LearnerModule,
  code: string,
): Promise<Report> {
  const questions = bundle.quiz?.questions ?? [];
  const answers = (learner.answers ?? {}) as Record<string, unknown>;
  const results = questions.map((question) => gradeQuestion(question, answers[question.id]));
  return buildCaseReport({
    exercise: bundle.exercise,
    cases: results,
    seconds: 0,
    backend: 'none',
    casesHash: await hashText(JSON.stringify(bundle.quiz ?? {})),
    codeHash: await hashText(code),
  });
}

export function gradeQuestion(question: QuizQuestion, given: unknown): CaseResult {
  const right = (Array.isArray(question.answer) ? question.answer : [question.answer]).slice().sort();
  const picked = (Array.isArray(given) ? given : given === undefined || given === null ? [] : [given])
    .map(Number)
    .sort();
  const name = question.prompt.split('\n')[0].slice(0, 120);
  if (picked.length === 0) return { name, passed: false, detail: 'not answered' };
  const passed = picked.length === right.length && picked.every((p, i) => p === right[i]);
  const letters = (indices: number[]) => indices.map((i) => String.fromCharCode(65 + i)).join(', ');
  return {
    name,
    passed,
    detail: passed
      ? `right: ${question.explanation}`
      : `you chose ${letters(picked)}; the answer is ${letters(right)}. ${question.explanation}`,
  };
}
