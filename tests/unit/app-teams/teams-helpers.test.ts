import { describe, expect, test } from 'vitest';
import type { ExerciseBundle, Report } from '../../../src/core/exercises/schema';
import { buildSet } from '../../../src/core/exercises/set';
import type { Submission } from '../../../src/core/exercises/submission';
import { parseRoute } from '../../../src/app/routing';
import {
  BuilderError,
  emptyForm,
  formToSetInput,
  moveEntry,
  overrideLabel,
} from '../../../src/app/teams/builder';
import { rosterGrid, rosterRowsForExport, type RosterEntry } from '../../../src/app/teams/roster-table';
import { examView, fileSlug, formatClock, isBetterReport } from '../../../src/app/teams/set-progress';

const report = (passed: boolean, score: number) => ({ passed, score }) as Report;

describe('set progress', () => {
  test('a pass beats a fail, then the higher score counts', () => {
    expect(isBetterReport(report(false, 90), undefined)).toBe(true);
    expect(isBetterReport(report(true, 60), report(false, 99))).toBe(true);
    expect(isBetterReport(report(false, 99), report(true, 60))).toBe(false);
    expect(isBetterReport(report(true, 70), report(true, 80))).toBe(false);
    expect(isBetterReport(report(true, 80), report(true, 80))).toBe(true);
  });

  test('the exam runs from its start for its minutes, and an early end ends it', () => {
    const set = {
      exam: { enabled: true, minutes: 30, weights: { beginner: 1, intermediate: 2, advanced: 3 } },
    };
    const start = Date.parse('2025-06-01T09:00:00Z');
    expect(examView({}, undefined, start)).toEqual({ phase: 'none', remainingSeconds: 0, deadline: null });
    expect(examView(set, undefined, start).phase).toBe('not-started');
    const clock = { startedAt: '2025-06-01T09:00:00Z' };
    expect(examView(set, clock, start + 60_000)).toEqual({
      phase: 'running',
      remainingSeconds: 29 * 60,
      deadline: start + 30 * 60_000,
    });
    expect(examView(set, clock, start + 30 * 60_000).phase).toBe('over');
    // An end on record wins over a stale clock.
    expect(examView(set, { ...clock, endedAt: '2025-06-01T09:10:00Z' }, start + 60_000)).toEqual({
      phase: 'over',
      remainingSeconds: 0,
      deadline: start + 10 * 60_000,
    });
  });

  test('clock and file names read as people expect', () => {
    expect(formatClock(3909)).toBe('1:05:09');
    expect(formatClock(247)).toBe('4:07');
    expect(formatClock(-3)).toBe('0:00');
    expect(fileSlug('Week 1 <img src=x>: CNNs!')).toBe('week-1-img-src-x-cnns');
    expect(fileSlug('***')).toBe('set');
  });
});

const dense = {
  exercise: {
    id: 'fashion-mnist-dense',
    title: 'Dense',
    difficulty: 'beginner',
    targets: [
      { metric: 'accuracy', split: 'test', atLeast: 0.85 },
      { metric: 'loss', split: 'test', atMost: 0.5 },
    ],
    limits: { timeSeconds: 900 },
  },
} as unknown as ExerciseBundle;
const find = (id: string) => (id === dense.exercise.id ? dense : undefined);

describe('set builder form', () => {
  test('overrides the key target and the time limit, and builds a valid set', () => {
    const input = formToSetInput(
      {
        ...emptyForm,
        title: ' Week 1 ',
        notes: '**go**',
        due: '2025-07-01T17:00',
        entries: [{ id: 'fashion-mnist-dense', threshold: '0.5', minutes: '5' }],
        exam: { ...emptyForm.exam, enabled: true, minutes: '45' },
      },
      find,
      new Date('2025-06-01T09:00:00Z'),
    );
    expect(input.exercises).toEqual([
      {
        id: 'fashion-mnist-dense',
        targets: [
          { metric: 'accuracy', split: 'test', atLeast: 0.5 },
          { metric: 'loss', split: 'test', atMost: 0.5 },
        ],
        limits: { timeSeconds: 300 },
      },
    ]);
    expect(input.title).toBe('Week 1');
    expect(input.exam).toEqual({
      enabled: true,
      minutes: 45,
      weights: { beginner: 1, intermediate: 2, advanced: 3 },
    });
    expect(input.dueDate).toBe(new Date('2025-07-01T17:00').toISOString());
    const set = buildSet(input);
    expect(set.createdAt).toBe('2025-06-01T09:00:00.000Z');
    expect(set.privateTest).toBeUndefined();
  });

  test('empty overrides keep the exercise as it is', () => {
    const input = formToSetInput(
      { ...emptyForm, title: 'T', entries: [{ id: 'fashion-mnist-dense', threshold: '', minutes: '' }] },
      find,
    );
    expect(input.exercises).toEqual([{ id: 'fashion-mnist-dense' }]);
    expect(input.exam).toBeUndefined();
  });

  test('names the field to fix', () => {
    const entry = { id: 'fashion-mnist-dense', threshold: '', minutes: '' };
    expect(() => formToSetInput({ ...emptyForm, entries: [entry] }, find)).toThrow(
      /^Title: a set needs a title$/,
    );
    expect(() => formToSetInput({ ...emptyForm, title: 'T' }, find)).toThrow(/add at least one exercise/);
    expect(() =>
      formToSetInput({ ...emptyForm, title: 'T', entries: [{ ...entry, minutes: 'abc' }] }, find),
    ).toThrow(BuilderError);
    expect(() =>
      formToSetInput(
        {
          ...emptyForm,
          title: 'T',
          entries: [entry],
          exam: { ...emptyForm.exam, enabled: true, minutes: '0' },
        },
        find,
      ),
    ).toThrow(/Exam length \(minutes\): enter a number from 1 to 1440/);
    expect(() =>
      formToSetInput({ ...emptyForm, title: 'T', entries: [{ ...entry, id: 'nope' }] }, find),
    ).toThrow(/no exercise 'nope'/);
  });

  test('the builder names each override in its exercise kind: test accuracy, hidden cases or questions', () => {
    const key = { split: 'test', metric: 'accuracy' };
    expect(overrideLabel('train', key)).toBe('test accuracy');
    expect(overrideLabel('train', { split: 'test', metric: 'macroF1' })).toBe('test macroF1');
    expect(overrideLabel('function', key)).toBe('share of hidden cases passed (0 to 1)');
    expect(overrideLabel('quiz', key)).toBe('share of questions right (0 to 1)');
  });

  test('moves entries up and down, and not past the ends', () => {
    expect(moveEntry(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
    expect(moveEntry(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'c', 'b']);
    expect(moveEntry(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
  });
});

const submission = (learner: string, exerciseId: string, createdAt: string) =>
  ({
    learner: { name: learner },
    exerciseId,
    createdAt,
    setTitle: 'Week 1',
    environment: { backend: 'webgl' },
  }) as Submission;

describe('roster grid', () => {
  const entries: RosterEntry[] = [
    {
      id: '1',
      file: 'b.json',
      submission: submission('Bob', 'cnn', '2025-06-02T00:00:00Z'),
      state: 'unchecked',
    },
    {
      id: '2',
      file: 'a1.json',
      submission: submission('Ada', 'dense', '2025-06-01T00:00:00Z'),
      state: 'unchecked',
    },
    {
      id: '3',
      file: 'a2.json',
      submission: submission('Ada', 'dense', '2025-06-03T00:00:00Z'),
      state: 'unchecked',
    },
    { id: '4', file: 'bad.json', state: 'error', error: 'submission: not JSON' },
  ];

  test('learners by name, exercises in the set order then as seen, every attempt per cell', () => {
    const grid = rosterGrid(entries, ['dense', 'quiz']);
    expect(grid.learners).toEqual(['Ada', 'Bob']);
    expect(grid.exercises).toEqual(['dense', 'quiz', 'cnn']);
    expect(grid.cell('Ada', 'dense')?.latest.file).toBe('a2.json');
    expect(grid.cell('Ada', 'dense')?.attempts.map((e) => e.file)).toEqual(['a1.json', 'a2.json']);
    expect(grid.cell('Bob', 'dense')).toBeUndefined();
    expect(grid.unreadable.map((e) => e.file)).toEqual(['bad.json']);
  });

  test('exports error rows for files not re-graded or unreadable, naming the file', () => {
    const rows = rosterRowsForExport(entries);
    expect(rows[0]).toMatchObject({
      file: 'b.json',
      learner: 'Bob',
      status: 'error',
      error: 'not re-graded yet',
    });
    expect(rows[3]).toMatchObject({
      file: 'bad.json',
      learner: '',
      status: 'error',
      error: 'submission: not JSON',
    });
  });
});

describe('routes', () => {
  test('sets, set exercises, the builder, the roster and set links', () => {
    expect(parseRoute('#/sets')).toEqual({ page: 'sets' });
    expect(parseRoute('#/sets/new')).toEqual({ page: 'set-builder' });
    expect(parseRoute('#/roster')).toEqual({ page: 'roster' });
    expect(parseRoute('#/set/week_1-a')).toEqual({ page: 'set', setId: 'week_1-a' });
    expect(parseRoute('#/set/w1/exercise/fashion-mnist-dense')).toEqual({
      page: 'set-exercise',
      setId: 'w1',
      exerciseId: 'fashion-mnist-dense',
    });
    expect(parseRoute('#set=abc')).toEqual({ page: 'set-link' });
    expect(parseRoute('#/set/<script>').page).toBe('not-found');
  });
});

describe('roster cells keep every attempt', () => {
  test('a flagged attempt stays visible beside a newer clean one; best, latest and comments', async () => {
    const { plainSubmission, plainRow } = await import('../../fixtures/teams/plain-submission');
    const older = await plainSubmission('Ada', 'metrics-iou', { createdAt: '2026-01-01T00:00:00Z' });
    const newer = await plainSubmission('Ada', 'metrics-iou', { createdAt: '2026-01-02T00:00:00Z' });
    const cellEntries: RosterEntry[] = [
      {
        id: 'x',
        file: 'old.json',
        submission: older,
        state: 'done',
        row: plainRow({ flags: [{ code: 'code-hash', message: 'changed' }] }),
      },
      {
        id: 'y',
        file: 'new.json',
        submission: newer,
        state: 'done',
        row: plainRow({ score: 70, status: 'fail' }),
      },
    ];
    const cell = rosterGrid(cellEntries).cell('Ada', 'metrics-iou')!;
    expect(cell.latest.id).toBe('y');
    expect(cell.flagged.map((e) => e.id)).toEqual(['x']);
    // The flagged pass is never the best: the clean failure is.
    expect(cell.best?.id).toBe('y');
    const rows = rosterRowsForExport(cellEntries, { 'Ada\u0000metrics-iou': 'see me' });
    expect(rows.map((r) => r.comment)).toEqual(['see me', 'see me']);
  });
});

describe("a learner's exports record the set", () => {
  test('every packed attempt (single export or "export all") carries the copy’s hash and the exam window', async () => {
    const { plainSubmission } = await import('../../fixtures/teams/plain-submission');
    const { submissionOf, submissionSetOf } = await import('../../../src/app/teams/export-submission');
    const made = await plainSubmission('Ada', 'metrics-iou');
    const set = submissionSetOf({ id: 'week-3', title: 'Week 3' }, 'c'.repeat(64), {
      startedAt: '2026-12-01T09:00:00Z',
      endedAt: '2026-12-01T10:00:00Z',
      minutes: 60,
    });
    const packed = await submissionOf('Ada', made, 'function', set, '2026-12-01T09:30:00Z');
    expect(packed).toMatchObject({
      setId: 'week-3',
      setTitle: 'Week 3',
      setHash: 'c'.repeat(64),
      exam: { startedAt: '2026-12-01T09:00:00Z', endedAt: '2026-12-01T10:00:00Z', minutes: 60 },
      createdAt: '2026-12-01T09:30:00Z',
    });
    await expect(submissionOf('Ada', made, 'train', set)).rejects.toThrow(/kept no trained model/);
  });
});
