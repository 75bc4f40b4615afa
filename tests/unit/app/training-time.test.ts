/**
 * A card's training time (src/app/components/training-time.ts): the reference's minutes, and the
 * learner's own last run once there is one, on the backend it trained on.
 */
import { describe, expect, test } from 'vitest';
import { trainingTime } from '../../../src/app/components/training-time';
import type { Exercise } from '../../../src/core/exercises/schema';
import type { StoredResult } from '../../../src/storage/lab-db';

const exercise = (fields: Partial<Exercise>) =>
  ({ kind: 'train', expectedMinutes: 4, ...fields }) as Exercise;
const result = (trainSeconds: number, backend = 'wasm') =>
  ({ report: { timings: { trainSeconds, gradeSeconds: 1 }, backend } }) as unknown as StoredResult;

describe('trainingTime', () => {
  test('the reference time alone until the learner has run the exercise', () => {
    expect(trainingTime(exercise({}), undefined)).toBe('about 4 min');
  });

  test('then the learner’s own last run beside it, in seconds or minutes', () => {
    expect(trainingTime(exercise({}), result(52.34))).toBe('about 4 min (your last run: 52.3 s on wasm)');
    expect(trainingTime(exercise({}), result(127, 'webgl'))).toBe(
      'about 4 min (your last run: 2 min 7 s on webgl)',
    );
  });

  test('a function exercise or quiz has no training time; an exercise without a reference time shows the run', () => {
    expect(trainingTime(exercise({ kind: 'function', expectedMinutes: undefined }), result(0.2))).toBeNull();
    expect(trainingTime(exercise({ expectedMinutes: undefined }), result(30))).toBe(
      'your last run: 30.0 s on wasm',
    );
  });
});
