/**
 * The set builder's form, and how it becomes a set. Pure: what the lead typed (strings from the
 * inputs) goes in, a `CvSetInput` for the core's `buildSet` comes out, or a message naming the
 * field to fix.
 */
import type { ExerciseCard } from '../../core/exercises/schema';
import {
  DEFAULT_EXAM_WEIGHTS,
  type CvSetInput,
  type PrivateTest,
  type SetExercise,
} from '../../core/exercises/set';

export interface BuilderEntry {
  id: string;
  /** The key target's new threshold; '' keeps the exercise's own. */
  threshold: string;
  /** Time limit of one run in minutes; '' keeps the exercise's own. */
  minutes: string;
}

export interface BuilderForm {
  title: string;
  author: string;
  notes: string;
  /** From a `datetime-local` input (local time), or ''. */
  due: string;
  entries: BuilderEntry[];
  exam: {
    enabled: boolean;
    minutes: string;
    weights: { beginner: string; intermediate: string; advanced: string };
  };
  privateTest: { label: string; data: PrivateTest } | null;
}

export const emptyForm: BuilderForm = {
  title: '',
  author: '',
  notes: '',
  due: '',
  entries: [],
  exam: {
    enabled: false,
    minutes: '60',
    weights: {
      beginner: String(DEFAULT_EXAM_WEIGHTS.beginner),
      intermediate: String(DEFAULT_EXAM_WEIGHTS.intermediate),
      advanced: String(DEFAULT_EXAM_WEIGHTS.advanced),
    },
  },
  privateTest: null,
};

export class BuilderError extends Error {}

/** The target a threshold override changes: the first test target (the key metric). */
export function keyTargetIndex(bundle: ExerciseCard): number {
  return bundle.exercise.targets.findIndex((t) => t.split === 'test');
}

/**
 * What the threshold override changes, in the exercise's terms: function exercises are graded by
 * the share of hidden cases passed and quizzes by the share of questions right (both as `accuracy`
 * in the report), not by a test split.
 */
export function overrideLabel(kind: string, key: { split: string; metric: string }): string {
  if (kind === 'quiz' && key.metric === 'accuracy') return 'share of questions right (0 to 1)';
  if (kind !== 'train' && key.metric === 'accuracy') return 'share of hidden cases passed (0 to 1)';
  return `${key.split} ${key.metric}`;
}

function number(text: string, field: string, min: number, max: number): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new BuilderError(`${field}: enter a number from ${min} to ${max}`);
  }
  return value;
}

function setEntry(entry: BuilderEntry, bundle: ExerciseCard): SetExercise {
  const out: SetExercise = { id: entry.id };
  const title = bundle.exercise.title;
  if (entry.threshold.trim()) {
    const index = keyTargetIndex(bundle);
    if (index < 0) throw new BuilderError(`${title}: this exercise has no test target to override`);
    const value = number(entry.threshold, `${title}: target`, -1e9, 1e9);
    out.targets = bundle.exercise.targets.map((t, i) => {
      const target = { metric: t.metric, split: t.split };
      if (i !== index)
        return t.atLeast !== undefined ? { ...target, atLeast: t.atLeast } : { ...target, atMost: t.atMost };
      return t.atLeast !== undefined ? { ...target, atLeast: value } : { ...target, atMost: value };
    });
  }
  if (entry.minutes.trim()) {
    out.limits = {
      timeSeconds: Math.round(number(entry.minutes, `${title}: time limit (minutes)`, 0.1, 1440) * 60),
    };
  }
  return out;
}

/** The form as `buildSet` input; throws a `BuilderError` naming the field to fix. */
export function formToSetInput(
  form: BuilderForm,
  find: (id: string) => ExerciseCard | undefined,
  now: Date = new Date(),
): CvSetInput {
  if (!form.title.trim()) throw new BuilderError('Title: a set needs a title');
  if (form.entries.length === 0) throw new BuilderError('Exercises: add at least one exercise');
  const exercises = form.entries.map((entry) => {
    const bundle = find(entry.id);
    if (!bundle) throw new BuilderError(`Exercises: no exercise '${entry.id}' in this CV Lab`);
    return setEntry(entry, bundle);
  });
  let dueDate: string | undefined;
  if (form.due.trim()) {
    const parsed = new Date(form.due);
    if (Number.isNaN(parsed.getTime())) throw new BuilderError('Due date: not a date');
    dueDate = parsed.toISOString();
  }
  const { exam } = form;
  return {
    title: form.title.trim(),
    author: form.author.trim(),
    notes: form.notes,
    exercises,
    createdAt: now.toISOString(),
    ...(dueDate ? { dueDate } : {}),
    ...(exam.enabled
      ? {
          exam: {
            enabled: true,
            minutes: Math.round(number(exam.minutes, 'Exam length (minutes)', 1, 1440)),
            weights: {
              beginner: number(exam.weights.beginner, 'Weight of beginner exercises', 0, 100),
              intermediate: number(exam.weights.intermediate, 'Weight of intermediate exercises', 0, 100),
              advanced: number(exam.weights.advanced, 'Weight of advanced exercises', 0, 100),
            },
          },
        }
      : {}),
    ...(form.privateTest ? { privateTest: form.privateTest.data } : {}),
  };
}

/** Moves the entry at `index` by `delta` places (up −1, down +1); out of range leaves it. */
export function moveEntry<T>(list: readonly T[], index: number, delta: number): T[] {
  const to = index + delta;
  if (to < 0 || to >= list.length) return [...list];
  const out = [...list];
  [out[index], out[to]] = [out[to], out[index]];
  return out;
}
