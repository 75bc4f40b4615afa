/**
 * The host's half of the exercises graded by cases rather than by a trained model (the learner's
 * half, calling the functions, runs in the sandbox: sandbox-side.ts):
 * - function exercises: the learner's module exports functions (`iou`, `normalise`, ...); the grader
 *   calls them on the hidden cases that the exercise's `cases.ts` builds, and compares each result
 *   with the reference solution's on the same input;
 * - quizzes: the module exports `answers`, one entry per question id.
 */
import type * as tfType from '@tensorflow/tfjs';
import { buildCaseReport, compareValues, type CaseResult, type Plain } from '../grading/cases';
import { sha256Hex } from '../shared/bytes';
import type { ExerciseBundle, QuizQuestion, Report } from '../exercises/schema';
import { compileLearnerModule } from './compile';
import type { WireValue } from './protocol';
import { encodeArgument, toPlainResult } from './wire';
import type { TF } from '../shared/tf';
import { mulberry32 } from '../shared/shuffle';

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

/** A function exercise's hidden cases, built and answered by the host before the learner runs. */
export interface PreparedCases {
  /** Name and export of each case, in order. */
  cases: { name: string; call: string }[];
  /** The calls as they cross into the sandbox (tensors as plain data). */
  calls: { call: string; args: WireValue[] }[];
  /** The reference solution's result for each case, computed by the host. */
  expected: Plain[];
  casesHash: string;
}

/**
 * Host side of a function exercise: builds the hidden cases from the exercise's `cases.ts` with a
 * fixed seed (every learner meets the same cases, and a re-grade gives the same report) and runs
 * the reference solution on them. Only the inputs cross into the sandbox; the expected values stay.
 */
export async function prepareCases(tf: TF, bundle: ExerciseBundle): Promise<PreparedCases> {
  const { exercise } = bundle;
  const modules = { '@tensorflow/tfjs': tf, 'cv-lab': {} };
  const reference = compileLearnerModule(bundle.solution, modules);
  const casesModule = compileLearnerModule(bundle.cases ?? '', modules);
  const buildCases = casesModule.default as CaseBuilder | undefined;
  if (typeof buildCases !== 'function')
    throw new Error(`${exercise.id}/cases.ts must export a default function`);
  const cases = tf.tidy(() => buildCases(tf, mulberry32(CASES_SEED)) as never) as FunctionCase[];
  try {
    const expected: Plain[] = [];
    for (const testCase of cases) {
      tf.engine().startScope();
      try {
        const fn = reference[testCase.call] as Fn;
        expected.push(await toPlainResult(tf, await fn(...cloneArgs(tf, testCase.args))));
      } finally {
        tf.engine().endScope();
      }
    }
    return {
      cases: cases.map(({ name, call }) => ({ name, call })),
      calls: cases.map(({ call, args }) => ({ call, args: args.map((arg) => encodeArgument(tf, arg)) })),
      expected,
      casesHash: await hashText(bundle.cases ?? ''),
    };
  } finally {
    tf.dispose(cases.flatMap((c) => c.args.filter((arg): arg is tfType.Tensor => arg instanceof tf.Tensor)));
  }
}

/** What the sandbox returned for one call: the value, or why it threw. */
export type CaseOutput = { value: Plain } | { error: string; line?: number };

/** Host side: compares each output with the reference's and writes the report. */
export async function reportCases(input: {
  bundle: ExerciseBundle;
  prepared: PreparedCases;
  outputs: readonly CaseOutput[];
  code: string;
  backend: string;
  seconds: number;
}): Promise<Report> {
  const { bundle, prepared, outputs } = input;
  const { exercise } = bundle;
  const results: CaseResult[] = prepared.cases.map((testCase, i) => {
    const output = outputs[i];
    if (!output) return { name: testCase.name, passed: false, detail: 'no result came back' };
    if ('error' in output) {
      const missing = output.error.startsWith('your module does not export');
      return {
        name: testCase.name,
        passed: false,
        detail: missing
          ? output.error
          : `threw ${output.error}${output.line ? ` (line ${output.line})` : ''}`,
      };
    }
    const comparison = compareValues(prepared.expected[i], output.value, exercise.tolerance);
    return {
      name: testCase.name,
      passed: comparison.equal,
      detail: comparison.equal ? 'matches the reference' : comparison.detail,
    };
  });
  return buildCaseReport({
    exercise,
    cases: results,
    seconds: input.seconds,
    backend: input.backend,
    casesHash: prepared.casesHash,
    codeHash: await hashText(input.code),
  });
}

type Fn = (...args: unknown[]) => unknown;

/** Each call gets its own copies, so a function that disposes or mutates its input harms no other call. */
function cloneArgs(tf: TF, args: unknown[]): unknown[] {
  return args.map((arg) => {
    if (arg instanceof tf.Tensor) return (arg as tfType.Tensor).clone();
    return typeof structuredClone === 'function' ? structuredClone(arg) : JSON.parse(JSON.stringify(arg));
  });
}

/** A quiz: every question is a case; the learner's module exports `answers` by question id. */
export async function gradeQuiz(bundle: ExerciseBundle, given: unknown, code: string): Promise<Report> {
  const questions = bundle.quiz?.questions ?? [];
  const answers = (given && typeof given === 'object' ? given : {}) as Record<string, unknown>;
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
