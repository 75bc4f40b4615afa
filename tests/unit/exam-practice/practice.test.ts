/**
 * The exam practice's pure rules (issue 14, item 1): its tasks, its clock (an exam clock that keeps
 * time across reloads because it is read from the stored start), which attempt counts and the total
 * out of 20; hints split one per list item and their stored counts are validated.
 */
import { describe, expect, test } from 'vitest';
import type { ExerciseCard, Report } from '../../../src/core/exercises/schema';
import {
  isBetterPracticeReport,
  PRACTICE_ID,
  PRACTICE_MINUTES,
  practiceTasks,
  practiceTotal,
  practiceView,
} from '../../../src/app/exam-practice/practice';
import { splitHints } from '../../../src/app/components/hint-list';
import { mergeStoredHints, useHintsStore } from '../../../src/app/stores/hints-store';
import { CvSetSchema } from '../../../src/core/exercises/set';

const report = (score: number | undefined, hintsUsed?: number): Report =>
  ({
    exerciseId: 'exam-basic',
    passed: (score ?? 0) >= 4,
    score: 50,
    ...(score ? { band: { score, metric: 'accuracy', split: 'test', value: 0.8 } } : {}),
    ...(hintsUsed !== undefined ? { hintsUsed } : {}),
  }) as Report;

const card = (id: string, category: string, bands: boolean): ExerciseCard =>
  ({
    exercise: {
      id,
      category,
      ...(bands ? { bands: { metric: 'accuracy', split: 'test', scores: [0.1, 0.2, 0.3, 0.4] } } : {}),
    },
  }) as ExerciseCard;

describe('exam practice', () => {
  test('its tasks are the exam-category exercises with bands', () => {
    const cards = [card('a', 'cnn', true), card('b', 'exam', true), card('c', 'exam', false)];
    expect(practiceTasks(cards).map((c) => c.exercise.id)).toEqual(['b']);
  });

  test('its clock key can never be a set id', () => {
    const set = {
      format: 'cv-lab-set',
      version: 1,
      title: 't',
      exercises: [{ id: 'x' }],
      createdAt: '2025-01-01',
    };
    expect(CvSetSchema.safeParse({ ...set, id: PRACTICE_ID }).success).toBe(false);
  });

  test('the clock reads from the stored start: the same after a reload, over at the time box', () => {
    const start = Date.parse('2026-12-03T10:00:00Z');
    const clock = { startedAt: new Date(start).toISOString(), minutes: PRACTICE_MINUTES };
    expect(practiceView(undefined, start).phase).toBe('not-started');
    expect(practiceView(clock, start + 60_000)).toMatchObject({
      phase: 'running',
      remainingSeconds: PRACTICE_MINUTES * 60 - 60,
    });
    expect(practiceView(clock, start + PRACTICE_MINUTES * 60_000).phase).toBe('over');
    expect(
      practiceView({ ...clock, endedAt: new Date(start + 5000).toISOString() }, start + 6000).phase,
    ).toBe('over');
  });

  test('the best attempt: a higher band score, then fewer hints', () => {
    expect(isBetterPracticeReport(report(3), undefined)).toBe(true);
    expect(isBetterPracticeReport(report(4, 3), report(3, 0))).toBe(true);
    expect(isBetterPracticeReport(report(3, 0), report(4, 3))).toBe(false);
    expect(isBetterPracticeReport(report(4, 1), report(4, 2))).toBe(true);
    expect(isBetterPracticeReport(report(4, 2), report(4, 1))).toBe(false);
  });

  test('the total: each task 1 to 5, 0 for one not handed in, out of 5 per task', () => {
    const { lines, total, max } = practiceTotal(['a', 'b', 'c', 'd'], {
      a: report(5),
      b: report(2),
      c: undefined,
    });
    expect(lines.map((l) => l.score)).toEqual([5, 2, 0, 0]);
    expect([total, max]).toEqual([7, 20]);
  });
});

describe('hints', () => {
  test('one per top-level list item, with its indented lines', () => {
    expect(splitHints('- one\n- two\n  continued\n\n- three')).toEqual(['one', 'two\ncontinued', 'three']);
    expect(splitHints('Read this first.\n\n* a\n* b')).toEqual(['Read this first.', 'a', 'b']);
    expect(splitHints('No list at all.')).toEqual(['No list at all.']);
    expect(splitHints('')).toEqual([]);
  });

  test('revealing counts up to the number of hints; a new practice hides them again', () => {
    const store = useHintsStore.getState();
    expect(store.reveal('exam-basic', 2)).toBe(1);
    expect(useHintsStore.getState().reveal('exam-basic', 2)).toBe(2);
    expect(useHintsStore.getState().reveal('exam-basic', 2)).toBe(2);
    useHintsStore.getState().reset(['exam-basic']);
    expect(useHintsStore.getState().revealed['exam-basic']).toBeUndefined();
  });

  test('stored counts are untrusted', () => {
    const current = useHintsStore.getState();
    const merged = mergeStoredHints(
      { revealed: { 'exam-basic': 2, 'Bad Id': 1, other: -1, half: 1.5, big: 10 ** 9, str: '3' } },
      current,
    );
    expect(merged.revealed).toEqual({ 'exam-basic': 2, big: 1000 });
    expect(mergeStoredHints('garbage', current).revealed).toEqual({});
  });
});
