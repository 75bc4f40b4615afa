/**
 * The learner's exam clock is keyed by the set's content hash and kept by set id (issue 15, item 3):
 * no re-import restarts an exam or gives Run back after one. `examView` is the pure part the store,
 * the set page and the exercise page all read.
 */
import { describe, expect, test } from 'vitest';
import { buildSet, learnerCopy, setHash } from '../../../src/core/exercises/set';
import { submissionSetOf } from '../../../src/app/teams/export-submission';
import { examView } from '../../../src/app/teams/set-progress';

const weights = { beginner: 1, intermediate: 2, advanced: 3 };
const examSet = learnerCopy(
  buildSet({
    id: 'mock-exam',
    title: 'Mock exam',
    exercises: [{ id: 'fashion-mnist-dense' }],
    exam: { enabled: true, minutes: 30, weights },
    createdAt: '2025-06-01T08:00:00Z',
  }),
);
const start = Date.parse('2025-06-01T09:00:00Z');

describe('exam clocks by content hash', () => {
  test('an edited copy under the same id (exam disabled, longer) neither restarts the exam nor gives Run back', async () => {
    const hash = await setHash(examSet);
    const clock = { startedAt: '2025-06-01T09:00:00Z', setHash: hash, minutes: 30 };
    const disabled = { ...examSet, exam: { enabled: false, minutes: 30, weights } };
    const longer = { ...examSet, exam: { enabled: true, minutes: 600, weights } };
    expect(await setHash(disabled)).not.toBe(hash);

    // While it runs, the copy it started with runs on its own minutes.
    expect(examView(examSet, clock, start + 60_000, hash)).toMatchObject({ phase: 'running' });
    // Another copy of the same id: over at once, never "none" (Run) nor "not-started" (a fresh exam).
    expect(examView(disabled, clock, start + 60_000, await setHash(disabled))).toEqual({
      phase: 'over',
      remainingSeconds: 0,
      deadline: start + 30 * 60_000,
      otherCopy: true,
    });
    expect(examView(longer, clock, start + 60_000, await setHash(longer)).phase).toBe('over');
    // After the exam, the same set opened again (removed and re-imported: same hash) stays over.
    const ended = { ...clock, endedAt: '2025-06-01T09:20:00Z' };
    expect(examView(examSet, ended, start + 3_600_000, hash)).toMatchObject({ phase: 'over' });
    expect(examView(examSet, ended, start + 3_600_000, hash).otherCopy).toBeUndefined();
  });

  test('a clock from before hashes still counts: an exam-disabled copy does not give Run back', () => {
    const old = { startedAt: '2025-06-01T09:00:00Z' };
    const disabled = { ...examSet, exam: { enabled: false, minutes: 30, weights } };
    expect(examView(disabled, old, start + 60_000, 'f'.repeat(64)).phase).toBe('over');
    expect(examView(examSet, old, start + 60_000, 'f'.repeat(64)).phase).toBe('running');
    // No clock: as before.
    expect(examView(disabled, undefined, start).phase).toBe('none');
    expect(examView(examSet, undefined, start).phase).toBe('not-started');
  });

  test("a submission records the copy's hash and the exam's window", async () => {
    const hash = await setHash(examSet);
    expect(submissionSetOf(examSet, hash, undefined)).toEqual({ id: 'mock-exam', title: 'Mock exam', hash });
    expect(
      submissionSetOf(examSet, hash, {
        startedAt: '2025-06-01T09:00:00Z',
        endedAt: '2025-06-01T09:20:00Z',
        minutes: 30,
      }),
    ).toEqual({
      id: 'mock-exam',
      title: 'Mock exam',
      hash,
      exam: { startedAt: '2025-06-01T09:00:00Z', endedAt: '2025-06-01T09:20:00Z', minutes: 30 },
    });
  });
});
