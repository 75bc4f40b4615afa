/**
 * An exercise's training time as a card says it (issue 12): the reference solution's, measured on
 * the lab's machine, and, once this learner has run the exercise, how long their last run trained
 * on this device — their own measured speed, not an estimate.
 */
import type { Exercise } from '../../core/exercises/schema';
import { formatSeconds } from '../../core/grading/format';
import type { StoredResult } from '../../storage/lab-db';

export function trainingTime(exercise: Exercise, result: StoredResult | undefined): string | null {
  const reference = exercise.expectedMinutes !== undefined ? `about ${exercise.expectedMinutes} min` : null;
  const seconds = exercise.kind === 'train' ? result?.report.timings.trainSeconds : undefined;
  const yours =
    seconds !== undefined && seconds > 0
      ? `your last run: ${formatSeconds(seconds)} on ${result!.report.backend}`
      : null;
  if (reference && yours) return `${reference} (${yours})`;
  return reference ?? yours;
}
