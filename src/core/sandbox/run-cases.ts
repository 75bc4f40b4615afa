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
import type { Exercise, ExerciseBundle, Quiz, QuizQuestion, Report } from '../exercises/schema';
import { compileLearnerModule } from './compile';
import type { WireValue } from './protocol';
import { fromCaseJson } from '../shared/case-json';
import { decodeArgument, encodeArgument, toPlainResult } from './wire';
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
 * A case a team lead adds in a set (`privateCases`), which learners never see: the arguments as
 * case JSON (case-json.ts). The reference solution answers it like the catalog's own cases.
 */
export interface PrivateCase {
  name: string;
  call: string;
  args: unknown[];
}

/**
 * What the host grades a run with, beside the exercise: the hidden cases with the reference's
 * answers, or the quiz with its answers. The learner's page holds neither in its bundle: its worker
 * loads the key when it grades (app/exercise-parts.ts), and in an exam loads no quiz answers at all
 * (`quizRecorded`: the answers are recorded and the team lead's re-grade scores them).
 */
export type GradingKey =
  | { kind: 'model' }
  | { kind: 'cases'; prepared: PreparedCases }
  | { kind: 'quiz'; quiz: Quiz }
  | { kind: 'quizRecorded' };

/** The grading key of a whole exercise folder (CLI, build, the lead's re-grade). */
export async function gradingKeyOf(
  tf: TF,
  bundle: ExerciseBundle,
  privateCases: readonly PrivateCase[] = [],
): Promise<GradingKey> {
  switch (bundle.exercise.kind) {
    case 'function':
      return { kind: 'cases', prepared: await prepareCases(tf, bundle, privateCases) };
    case 'quiz':
      if (!bundle.quiz) throw new Error(`${bundle.exercise.id} is a quiz without questions`);
      return { kind: 'quiz', quiz: bundle.quiz };
    default:
      return { kind: 'model' };
  }
}

/**
 * Host side of a function exercise: builds the hidden cases from the exercise's `cases.ts` with a
 * fixed seed (every learner meets the same cases, and a re-grade gives the same report), adds the
 * lead's private cases, and runs the reference solution on them. Only the inputs cross into the
 * sandbox; the expected values stay.
 */
export async function prepareCases(
  tf: TF,
  bundle: Pick<ExerciseBundle, 'exercise' | 'solution' | 'cases'>,
  privateCases: readonly PrivateCase[] = [],
): Promise<PreparedCases> {
  const { exercise } = bundle;
  const modules = { '@tensorflow/tfjs': tf, 'cv-lab': {} };
  const reference = compileLearnerModule(bundle.solution, modules);
  const casesModule = compileLearnerModule(bundle.cases ?? '', modules);
  const buildCases = casesModule.default as CaseBuilder | undefined;
  if (typeof buildCases !== 'function')
    throw new Error(`${exercise.id}/cases.ts must export a default function`);
  const cases = tf.tidy(() => buildCases(tf, mulberry32(CASES_SEED)) as never) as FunctionCase[];
  const privateCalls = privateCases.map((testCase, i) => {
    const where = `private case ${i + 1} (${testCase.name})`;
    if (!exercise.functions?.includes(testCase.call)) {
      throw new Error(
        `${where} calls '${testCase.call}'; ${exercise.id} exports ${(exercise.functions ?? []).join(', ')}`,
      );
    }
    return {
      name: `private: ${testCase.name}`,
      call: testCase.call,
      args: testCase.args.map((arg, j) => fromCaseJson(arg, `${where}, argument ${j + 1}`)),
    };
  });
  try {
    const calls = [
      ...cases.map(({ call, args }) => ({ call, args: args.map((arg) => encodeArgument(tf, arg)) })),
      ...privateCalls.map(({ call, args }) => ({ call, args })),
    ];
    const expected: Plain[] = [];
    for (const { call, args } of calls) {
      tf.engine().startScope();
      try {
        const fn = reference[call] as Fn;
        expected.push(await toPlainResult(tf, await fn(...args.map((arg) => decodeArgument(tf, arg)))));
      } finally {
        tf.engine().endScope();
      }
    }
    return {
      cases: [...cases, ...privateCalls].map(({ name, call }) => ({ name, call })),
      calls,
      expected,
      casesHash: await hashText(
        (bundle.cases ?? '') + (privateCases.length ? JSON.stringify(privateCases) : ''),
      ),
    };
  } finally {
    tf.dispose(cases.flatMap((c) => c.args.filter((arg): arg is tfType.Tensor => arg instanceof tf.Tensor)));
  }
}

/** What the sandbox returned for one call: the value, or why it threw. */
export type CaseOutput = { value: Plain } | { error: string; line?: number };

/** Host side: compares each output with the reference's and writes the report. */
export async function reportCases(input: {
  exercise: Exercise;
  prepared: PreparedCases;
  outputs: readonly CaseOutput[];
  code: string;
  backend: string;
  seconds: number;
}): Promise<Report> {
  const { exercise, prepared, outputs } = input;
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

/** A quiz: every question is a case; the learner's module exports `answers` by question id. */
export async function gradeQuiz(
  exercise: Exercise,
  quiz: Quiz,
  given: unknown,
  code: string,
): Promise<Report> {
  const answers = (given && typeof given === 'object' ? given : {}) as Record<string, unknown>;
  const results = quiz.questions.map((question) => gradeQuestion(question, answers[question.id]));
  return buildCaseReport({
    exercise,
    cases: results,
    seconds: 0,
    backend: 'none',
    casesHash: await hashText(JSON.stringify(quiz)),
    codeHash: await hashText(code),
  });
}

/**
 * A quiz taken in exam mode, where the page holds no answers: a report that records the answers
 * (they are in the code, which the submission carries) and says the team lead grades them.
 */
export async function recordQuiz(exercise: Exercise, code: string): Promise<Report> {
  const report = buildCaseReport({
    exercise,
    cases: [
      {
        name: 'Answers recorded',
        passed: false,
        detail:
          'In an exam this page holds no answers: your team lead grades the quiz when you hand in the set.',
      },
    ],
    seconds: 0,
    backend: 'none',
    casesHash: '',
    codeHash: await hashText(code),
  });
  return { ...report, score: 0, gradedByLead: true };
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
