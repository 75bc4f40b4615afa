import type { Exercise } from '../../core/exercises/schema';
import type { SetExercise } from '../../core/exercises/set';

/** The targets and time limit a set entry asks for, the exercise's own where it does not override. */
export function effectiveTargets(entry: SetExercise, exercise: Exercise | undefined): Exercise['targets'] {
  return entry.targets ?? exercise?.targets ?? [];
}

export function effectiveMinutes(entry: SetExercise, exercise: Exercise | undefined): number | null {
  const seconds = entry.limits?.timeSeconds ?? exercise?.limits.timeSeconds;
  return seconds === undefined ? null : Math.round((seconds / 60) * 10) / 10;
}
