/**
 * The catalog: every exercise folder, read and validated. The page hands in the files Vite
 * bundled, the CLI the files it read from disk; both get the same bundles and the same errors.
 */
import { describeSchemaError, ExerciseSchema, type ExerciseBundle } from './schema';

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
    bundles.push({
      exercise: parsed.data,
      brief: texts['brief.md'],
      starter: texts['starter.ts'],
      solution: texts['solution.ts'],
      ...(texts['hints.md'] !== undefined ? { hints: texts['hints.md'] } : {}),
    });
  }
  return { bundles, errors };
}

export function findExercise(catalog: Catalog, id: string): ExerciseBundle | undefined {
  return catalog.bundles.find((b) => b.exercise.id === id);
}
