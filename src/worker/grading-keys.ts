/**
 * What the lab worker grades with, loaded when it grades (docs/architecture.md, "Exercise cards
 * and grading keys"). The page's cards hold no solutions, hidden cases or quiz answers; each of
 * these is its own chunk, written by scripts/vite-plugin-exercises.ts:
 *
 * - a function exercise's key: the hidden cases and the reference's answers, computed at build
 *   time, so a learner's run never loads the solution;
 * - with a set's private cases (the lead's re-grade): the reference solution, run here on them;
 * - a quiz's answers, except in an exam, where the answers are recorded for the lead to grade.
 */
import { cases, quizzes, references } from 'virtual:cv-lab/grading';
import type { ExerciseCard } from '../core/exercises/schema';
import type { PrivateCase } from '../core/exercises/set';
import { gradingKeyOf, type GradingKey, type PreparedCases } from '../core/sandbox/run-cases';
import type { Plain } from '../core/grading/cases';
import { fromCaseJson } from '../core/shared/case-json';
import type { TF } from '../core/shared/tf';

export interface GradingKeyOptions {
  /** An exam-mode set: no quiz answers are loaded. */
  exam?: boolean;
  /** The lead's set adds these to a function exercise's hidden cases. */
  privateCases?: readonly PrivateCase[];
}

function loaderOf<T>(loaders: Record<string, () => Promise<{ default: T }>>, id: string, what: string) {
  const load = Object.hasOwn(loaders, id) ? loaders[id] : undefined;
  if (!load) throw new Error(`this build of the lab has no ${what} for '${id}'`);
  return async () => (await load()).default;
}

export async function loadGradingKey(
  tf: TF,
  card: ExerciseCard,
  { exam = false, privateCases = [] }: GradingKeyOptions = {},
): Promise<GradingKey> {
  const { exercise } = card;
  switch (exercise.kind) {
    case 'quiz':
      if (exam) return { kind: 'quizRecorded' };
      return { kind: 'quiz', quiz: await loaderOf(quizzes, exercise.id, 'quiz answers')() };
    case 'function': {
      if (privateCases.length) {
        const reference = await loaderOf(references, exercise.id, 'reference solution')();
        const { exercise: asked, brief, starter } = card;
        return gradingKeyOf(tf, { exercise: asked, brief, starter, ...reference }, privateCases);
      }
      const key = await loaderOf(cases, exercise.id, 'hidden cases')();
      const prepared: PreparedCases = {
        cases: key.cases,
        calls: key.calls.map(({ call, args }, i) => ({
          call,
          args: args.map((arg, j) => fromCaseJson(arg, `case ${i + 1}, argument ${j + 1}`)),
        })),
        expected: key.expected.map((value, i) => fromCaseJson(value, `case ${i + 1}'s answer`) as Plain),
        casesHash: key.casesHash,
      };
      return { kind: 'cases', prepared };
    }
    default:
      return { kind: 'model' };
  }
}
