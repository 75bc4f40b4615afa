/**
 * The exercises as the page holds them: their cards, written at build time by
 * scripts/vite-plugin-exercises.ts from `exercises/<id>/` and validated by the core's catalog
 * loader. Solutions, hidden cases and quiz answers are not here (the lab worker loads what it
 * grades with: worker/grading-keys.ts); hints load on demand, never in an exam.
 */
import { cards, errors, hints } from 'virtual:cv-lab/catalog';
import type { ExerciseCard } from '../core/exercises/schema';

export const exerciseCards: ExerciseCard[] = cards;
/** Exercises that failed validation, one line each: shown on the catalog page, never hidden. */
export const catalogErrors: string[] = errors;

export function findExercise(id: string): ExerciseCard | undefined {
  return exerciseCards.find((card) => card.exercise.id === id);
}

/** An exercise's hints (markdown), fetched when the learner opens them; '' when it has none. */
export async function loadHints(id: string): Promise<string> {
  const load = Object.hasOwn(hints, id) ? hints[id] : undefined;
  return load ? (await load()).default : '';
}
