import { describe, expect, test } from 'vitest';
import type { Exercise } from '../../../src/core/exercises/schema';
import { buildSet, learnerCopy, parseSet } from '../../../src/core/exercises/set';
import { freeSetId, sameSet, setDifferences } from '../../../src/app/teams/set-conflict';

const exercise = {
  id: 'fashion-mnist-dense',
  kind: 'train',
  targets: [{ metric: 'accuracy', split: 'test', atLeast: 0.85 }],
} as unknown as Exercise;
const exerciseOf = (id: string) => (id === exercise.id ? exercise : undefined);

const held = buildSet({
  id: 'week-1',
  title: 'Week 1',
  createdAt: '2026-01-01T00:00:00Z',
  exercises: [{ id: 'fashion-mnist-dense' }],
});

describe('a set opened under an id already held', () => {
  test('the same set again is no conflict, also against the copy read back from storage', async () => {
    expect(sameSet(held, buildSet({ ...held }))).toBe(true);
    const stored = await parseSet(JSON.stringify(learnerCopy(held)));
    expect(sameSet(stored, learnerCopy(await parseSet(JSON.stringify(held))))).toBe(true);
  });

  test('lowered targets, a new title and another exercise are each shown, old beside new', () => {
    const incoming = buildSet({
      ...held,
      title: 'Week 1 (easy)',
      exercises: [
        { id: 'fashion-mnist-dense', targets: [{ metric: 'accuracy', split: 'test', atLeast: 0 }] },
        { id: 'shapes-cnn' },
      ],
    });
    expect(sameSet(held, incoming)).toBe(false);
    expect(setDifferences(held, incoming, exerciseOf)).toEqual([
      { what: 'Title', existing: 'Week 1', incoming: 'Week 1 (easy)' },
      {
        what: 'Exercises',
        existing: '1 exercise: fashion-mnist-dense',
        incoming: '2 exercises: fashion-mnist-dense, shapes-cnn',
      },
      {
        what: 'Targets of fashion-mnist-dense',
        existing: 'test accuracy ≥ 0.85',
        incoming: 'test accuracy ≥ 0',
      },
    ]);
  });

  test('keeping both gives the opened set the first free <id>-<n>, within 64 characters', () => {
    const taken = new Set(['week-1', 'week-1-2']);
    expect(freeSetId('week-1', (id) => taken.has(id))).toBe('week-1-3');
    const long = 'x'.repeat(64);
    const free = freeSetId(long, (id) => id === long);
    expect(free).toBe(`${'x'.repeat(62)}-2`);
    expect(free).toHaveLength(64);
  });
});
