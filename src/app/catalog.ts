/**
 * The exercises bundled with the app: every file under `exercises/<id>/`, read as text at build
 * time and validated by the core's catalog loader.
 */
import type { ExerciseBundle } from '../core/exercises/schema';
import { catalogFromFiles } from '../core/exercises/catalog';

const rawFiles = import.meta.glob<string>('/exercises/*/*', {
  query: '?raw',
  import: 'default',
  eager: true,
});

/** Glob keys start with `/`; the catalog loader expects paths relative to the repository root. */
const files = Object.fromEntries(
  Object.entries(rawFiles).map(([path, text]) => [path.replace(/^\//, ''), text]),
);

const catalog = catalogFromFiles(files);

export const exerciseBundles: ExerciseBundle[] = catalog.bundles;
/** Exercises that failed validation, one line each: shown on the catalog page, never hidden. */
export const catalogErrors: string[] = catalog.errors;

export function findExercise(id: string): ExerciseBundle | undefined {
  return exerciseBundles.find((bundle) => bundle.exercise.id === id);
}
