/**
 * The catalog: every exercise folder, read and validated. The page hands in the files Vite
 * bundled, the CLI the files it read from disk; both get the same bundles and the same errors.
 */
import {
  categories,
  describeSchemaError,
  difficulties,
  ExerciseSchema,
  QuizSchema,
  type Exercise,
  type ExerciseBundle,
  type Quiz,
} from './schema';

export interface Catalog {
  bundles: ExerciseBundle[];
  /** One line per exercise folder that could not be read; the rest of the catalog still loads. */
  errors: string[];
}

const REQUIRED = ['exercise.json', 'brief.md', 'starter.ts', 'solution.ts'] as const;

/** `files` maps paths such as `exercises/fashion-mnist-cnn/exercise.json` (any prefix) to their text. */
export function catalogFromFiles(files: Record<string, string>): Catalog {
  const folders = new Map<string, Record<string, string>>();
  for (const [path, text] of Object.entries(files)) {
    const match = /(?:^|\/)exercises\/([^/]+)\/([^/]+)$/.exec(path);
    if (!match) continue;
    const [, folder, name] = match;
    if (!folders.has(folder)) folders.set(folder, {});
    folders.get(folder)![name] = text;
  }
  const bundles: ExerciseBundle[] = [];
  const errors: string[] = [];
  for (const [folder, texts] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
    const missing = REQUIRED.filter((name) => texts[name] === undefined);
    if (missing.length) {
      errors.push(`exercises/${folder}: missing ${missing.join(', ')}`);
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(texts['exercise.json']);
    } catch (error) {
      errors.push(`exercises/${folder}/exercise.json is not valid JSON: ${(error as Error).message}`);
      continue;
    }
    const parsed = ExerciseSchema.safeParse(json);
    if (!parsed.success) {
      errors.push(describeSchemaError(parsed.error, `exercises/${folder}/exercise.json`));
      continue;
    }
    if (parsed.data.id !== folder) {
      errors.push(`exercises/${folder}/exercise.json: id '${parsed.data.id}' must match its folder name`);
      continue;
    }
    const exercise = parsed.data;
    if (exercise.kind === 'function' && (texts['cases.ts'] === undefined || !exercise.functions?.length)) {
      errors.push(
        `exercises/${folder}: a function exercise needs "functions" in exercise.json and a cases.ts`,
      );
      continue;
    }
    let quiz: Quiz | undefined;
    if (exercise.kind === 'quiz') {
      const parsedQuiz = parseQuiz(texts['quiz.json'], folder);
      if (typeof parsedQuiz === 'string') {
        errors.push(parsedQuiz);
        continue;
      }
      quiz = parsedQuiz;
    }
    bundles.push({
      exercise: parsed.data,
      brief: texts['brief.md'],
      starter: texts['starter.ts'],
      solution: texts['solution.ts'],
      ...(texts['hints.md'] !== undefined ? { hints: texts['hints.md'] } : {}),
      ...(texts['baseline.ts'] !== undefined ? { baseline: texts['baseline.ts'] } : {}),
      ...(exercise.kind === 'function' ? { cases: texts['cases.ts'] } : {}),
      ...(quiz ? { quiz } : {}),
    });
  }
  return { bundles: bundles.sort((a, b) => compareForCatalog(a.exercise, b.exercise)), errors };
}

/**
 * The path a learner walks: category by category (in `categories` order), each by its `order`,
 * then easier before harder, then by id.
 */
export function compareForCatalog(a: Exercise, b: Exercise): number {
  return (
    categories.indexOf(a.category) - categories.indexOf(b.category) ||
    (a.order ?? Infinity) - (b.order ?? Infinity) ||
    difficulties.indexOf(a.difficulty) - difficulties.indexOf(b.difficulty) ||
    a.id.localeCompare(b.id)
  );
}

/** Parses a quiz exercise's `quiz.json`; returns the error line instead of throwing. */
function parseQuiz(text: string | undefined, folder: string): Quiz | string {
  if (text === undefined) return `exercises/${folder}: a quiz exercise needs a quiz.json`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return `exercises/${folder}/quiz.json is not valid JSON: ${(error as Error).message}`;
  }
  const parsed = QuizSchema.safeParse(json);
  if (!parsed.success) return describeSchemaError(parsed.error, `exercises/${folder}/quiz.json`);
  for (const question of parsed.data.questions) {
    const answers = Array.isArray(question.answer) ? question.answer : [question.answer];
    if (answers.some((a) => a >= question.choices.length)) {
      return `exercises/${folder}/quiz.json: question ${question.id} names an answer that is not among its choices`;
    }
  }
  return parsed.data;
}

export function findExercise(catalog: Catalog, id: string): ExerciseBundle | undefined {
  return catalog.bundles.find((b) => b.exercise.id === id);
}
