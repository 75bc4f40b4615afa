/**
 * Issue 15, items 3 and 4 on the lead's side: the set's content hash, the submission's new optional
 * fields (older files still parse), the `late`, `out-of-exam` and `wrong-set` flags, the exam score
 * per learner from re-graded rows, and `identical-model` / `similar-code` over a roster.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/core/exercises/schema';
import { buildSet, learnerCopy, parseSet, setHash, type CvSet } from '../../../src/core/exercises/set';
import {
  codeHash,
  parseSubmission,
  serializeSubmission,
  type Submission,
} from '../../../src/core/exercises/submission';
import { learnerExamScores } from '../../../src/core/grading/exam-score';
import { regradeSubmission, setFlags } from '../../../src/core/grading/regrade';
import { rosterRow, type RosterRow } from '../../../src/core/grading/roster';
import { submissionSimilarityFlags } from '../../../src/core/grading/similarity';
import type { LoadedDataset } from '../../../src/core/datasets/types';
import {
  tf,
  tinyBundle,
  tinyDataset,
  tinyModel,
  tinySubmission,
  useCpuBackend,
} from '../../fixtures/teams/tiny-team';

let dataset: LoadedDataset;
let submission: Submission;

const exam = { enabled: true, minutes: 60, weights: { beginner: 1, intermediate: 2, advanced: 3 } };
const plainSet = buildSet({
  id: 'week-3',
  title: 'Week 3',
  exercises: [{ id: 'tiny' }],
  dueDate: '2025-06-01T12:00:00Z',
  createdAt: '2025-05-20T09:00:00Z',
});
const examSet = buildSet({
  id: 'mock-exam',
  title: 'Mock exam',
  exercises: [{ id: 'tiny' }, { id: 'metrics-iou' }],
  exam,
  createdAt: '2025-05-20T09:00:00Z',
});

beforeAll(async () => {
  await useCpuBackend();
  ({ dataset } = await tinyDataset());
  submission = await tinySubmission(dataset); // made 2025-06-01T10:00:00Z, trained 1.5 s
});

/** The submission as made from `set` (its id, title and hash), with changes. */
async function madeFor(set: CvSet, changes: Partial<Submission> = {}): Promise<Submission> {
  return { ...submission, setId: set.id, setTitle: set.title, setHash: await setHash(set), ...changes };
}

const codes = (flags: { code: string }[]) => flags.map((f) => f.code);

describe('set hash and submission format', () => {
  it("hashes the learner copy: the lead's copy and the learner's agree, any edit changes it", async () => {
    const lead = buildSet({
      id: 'week-3',
      title: 'Week 3',
      exercises: [{ id: 'metrics-iou', privateCases: [{ name: 'big', call: 'iou', args: [1, 2] }] }],
      createdAt: '2025-05-20T09:00:00Z',
    });
    const learner = learnerCopy(lead);
    expect(await setHash(lead)).toBe(await setHash(learner));
    expect(await setHash(lead)).toMatch(/^[0-9a-f]{64}$/);
    // Key order and whitespace in the file do not matter: the canonical form is hashed.
    const reordered = Object.fromEntries(Object.entries(learner).reverse());
    expect(await setHash(await parseSet(JSON.stringify(reordered, null, 2)))).toBe(await setHash(lead));
    expect(await setHash({ ...learner, dueDate: '2025-07-01T00:00:00Z' })).not.toBe(await setHash(lead));
    expect(await setHash({ ...examSet, exam: { ...exam, enabled: false } })).not.toBe(await setHash(examSet));
  });

  it('older submissions (no set hash, no exam) still parse; the new fields round-trip and are checked', async () => {
    const old = JSON.parse(serializeSubmission(submission));
    expect(old).not.toHaveProperty('setHash');
    expect(old).not.toHaveProperty('exam');
    expect(parseSubmission(JSON.stringify(old)).learner.name).toBe('Ada Lovelace');
    const made = await madeFor(examSet, {
      exam: { startedAt: '2025-06-01T09:30:00Z', endedAt: '2025-06-01T10:20:00Z', minutes: 60 },
    });
    const back = parseSubmission(serializeSubmission(made));
    expect(back.setHash).toBe(await setHash(examSet));
    expect(back.exam).toEqual(made.exam);
    expect(() => parseSubmission(JSON.stringify({ ...made, exam: { startedAt: 'yesterday' } }))).toThrow(
      /submission: exam\.startedAt: an ISO 8601 date/,
    );
    expect(() => parseSubmission(JSON.stringify({ ...made, setHash: 'abc' }))).toThrow(/setHash/);
  });
});

describe("flags that need the lead's set", () => {
  it('wrong-set: no set, another set, another copy of this set', async () => {
    expect(await setFlags(submission, plainSet)).toEqual([
      {
        code: 'wrong-set',
        message: "the submission names no set: it was not made from your set 'Week 3' (week-3)",
      },
    ]);
    const other = await madeFor(examSet, { exam: { startedAt: '2025-06-01T09:30:00Z' } });
    expect(await setFlags(other, plainSet)).toEqual([
      {
        code: 'wrong-set',
        message: "made for the set 'Mock exam' (mock-exam), not your set 'Week 3' (week-3)",
      },
    ]);
    const edited = { ...plainSet, dueDate: '2030-01-01T00:00:00Z' };
    const flags = await setFlags(await madeFor(edited), plainSet);
    expect(codes(flags)).toEqual(['wrong-set']);
    expect(flags[0].message).toMatch(
      /^made from another copy of the set week-3 \(set hash [0-9a-f]{12}, yours [0-9a-f]{12}\): the learner's copy was edited/,
    );
    // An older submission (no hash) of the right set is not flagged.
    expect(await setFlags({ ...submission, setId: 'week-3' }, plainSet)).toEqual([]);
    expect(await setFlags(await madeFor(plainSet), plainSet)).toEqual([]);
  });

  it('late: made after the due date, or its exam ended after it, saying whose times they are', async () => {
    const late = await madeFor(plainSet, { createdAt: '2028-06-01T10:00:00.000Z' });
    expect(await setFlags(late, plainSet)).toEqual([
      {
        code: 'late',
        message:
          "made 2028-06-01T10:00:00.000Z: after the due date 2025-06-01T12:00:00Z (times written by the learner's machine)",
      },
    ]);
    // The learner back-dated createdAt, but the exam's end (also on record) is after the due date.
    const backdated = await madeFor(plainSet, {
      exam: { startedAt: '2025-06-01T11:30:00Z', endedAt: '2025-06-01T12:30:00Z' },
    });
    const flags = await setFlags(backdated, plainSet);
    expect(codes(flags)).toEqual(['late']);
    expect(flags[0].message).toMatch(/^its exam ended 2025-06-01T12:30:00Z: after the due date/);
  });

  it('out-of-exam: no exam on record, made outside its window, an exam longer than the set allows', async () => {
    const none = await setFlags(await madeFor(examSet), examSet);
    expect(none).toEqual([
      {
        code: 'out-of-exam',
        message:
          'the set is an exam of 60 min, but the submission records no exam: it was made outside the exam (from an exercise page, the command line, or an older CV Lab)',
      },
    ]);
    const inside = await madeFor(examSet, {
      exam: { startedAt: '2025-06-01T09:30:00Z', endedAt: '2025-06-01T10:20:00Z', minutes: 60 },
    });
    expect(await setFlags(inside, examSet)).toEqual([]);
    // Still running when exported: the window is the start plus the set's minutes.
    expect(await setFlags({ ...inside, exam: { startedAt: '2025-06-01T09:30:00Z' } }, examSet)).toEqual([]);

    const after = await setFlags(
      { ...inside, exam: { startedAt: '2025-06-01T08:00:00Z', endedAt: '2025-06-01T08:40:00Z' } },
      examSet,
    );
    expect(after).toEqual([
      {
        code: 'out-of-exam',
        message:
          "made 2025-06-01T10:00:00.000Z, after the exam's end 2025-06-01T08:40:00.000Z (times written by the learner's machine)",
      },
    ]);
    const before = await setFlags({ ...inside, exam: { startedAt: '2025-06-01T10:30:00Z' } }, examSet);
    expect(before[0].message).toMatch(/^made 2025-06-01T10:00:00.000Z, before the exam started/);
    // The run took 20 min, so it began before the exam's start.
    const longRun = {
      ...inside,
      exam: { startedAt: '2025-06-01T09:55:00Z' },
      report: { ...inside.report, timings: { ...inside.report.timings, trainSeconds: 1200 } },
    };
    expect((await setFlags(longRun, examSet))[0].message).toMatch(
      /^made 2025-06-01T10:00:00.000Z after a run of 1200 s, so it started before the exam/,
    );
    const stretched = await setFlags(
      {
        ...inside,
        exam: { startedAt: '2025-06-01T08:00:00Z', endedAt: '2025-06-01T11:00:00Z', minutes: 240 },
      },
      examSet,
    );
    expect(stretched[0].message).toMatch(
      /the recorded exam lasted 180\.0 min, your set allows 60; the learner's copy gave 240 min, your set 60/,
    );
  });

  it('regradeSubmission adds them when given the set', async () => {
    const late = await madeFor(plainSet, { createdAt: '2028-06-01T10:00:00.000Z' });
    const result = await regradeSubmission(tf, late, {
      bundle: tinyBundle,
      testDataset: dataset,
      set: plainSet,
    });
    expect(result.report).not.toBeNull();
    expect(codes(result.flags)).toEqual(['late']);
  });
});

describe('regradeSubmission keeps what only the learner can know', () => {
  it("the hints the submission declares stay on the lead's report; none declared, none added", async () => {
    const plain = await madeFor(plainSet);
    const hinted = { ...plain, report: { ...plain.report, hintsUsed: 2 } };
    const withHints = await regradeSubmission(tf, hinted, { bundle: tinyBundle, testDataset: dataset });
    expect(withHints.report?.hintsUsed).toBe(2);
    const without = await regradeSubmission(tf, plain, { bundle: tinyBundle, testDataset: dataset });
    expect(without.report).not.toBeNull();
    expect(without.report?.hintsUsed).toBeUndefined();
  });
});

describe('roster: exam score per learner and similarity', () => {
  const report = (exerciseId: string, passed: boolean, score: number) =>
    ({ exerciseId, passed, score }) as Report;
  const row = (learner: string, exerciseId: string, passed: boolean, score: number, flags: string[] = []) =>
    ({
      learner,
      exerciseId,
      report: report(exerciseId, passed, score),
      flags: flags.map((code) => ({ code, message: '' })),
    }) as unknown as RosterRow;

  it('scores each learner on the re-graded rows: the best per exercise, missing ones at 0', () => {
    const difficulties = [
      { id: 'tiny', difficulty: 'beginner' as const },
      { id: 'metrics-iou', difficulty: 'advanced' as const },
    ];
    const scores = learnerExamScores(
      [
        row('Ada', 'tiny', false, 40),
        row('Ada', 'tiny', true, 80),
        row('Ada', 'metrics-iou', true, 100, ['late']),
        row('Bob', 'tiny', false, 90),
        row('Bob', 'other-exercise', true, 100),
        { ...row('Cy', 'tiny', true, 100), report: undefined, status: 'error' } as RosterRow,
      ],
      examSet,
      difficulties,
    );
    expect(scores.map((s) => [s.learner, s.score.total, s.missing])).toEqual([
      ['Ada', 100, []],
      ['Bob', 12.5, ['metrics-iou']],
      ['Cy', 0, ['tiny', 'metrics-iou']],
    ]);
    expect(scores[0].flagged).toEqual([{ exerciseId: 'metrics-iou', codes: ['late'] }]);
    expect(learnerExamScores([row('Ada', 'tiny', true, 100)], plainSet, difficulties)).toEqual([]);
  });

  it('flags identical models and copied code across learners, not a learner with themself', async () => {
    const code = `export default async function train(lab) {
  const { tf } = lab;
  const { train } = await lab.data.load('tiny', { limit: 30 });
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 3, 1] }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
  model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, { epochs: 12, batchSize: 4, shuffle: false, callbacks: lab.callbacks() });
  return model;
}
`;
    const renamed = code.replace(/\bmodel\b/g, 'net').replace(/\btrain\b(?=[,\s}])/g, 'trainSet');
    const ada = { ...submission, code, codeSha256: await codeHash(code) };
    const bob = {
      ...submission,
      learner: { name: 'Bob' },
      code: renamed,
      codeSha256: await codeHash(renamed),
    };
    const cy = await tinySubmission(dataset, 'Cy', tinyModel(2));
    const flags = submissionSimilarityFlags([
      { submission: ada, starter: tinyBundle.starter },
      { submission: bob, starter: tinyBundle.starter },
      { submission: cy, starter: tinyBundle.starter },
    ]);
    expect(flags[0]).toEqual([
      { code: 'identical-model', message: "the same trained weights (SHA-256) as the submission of 'Bob'" },
      expect.objectContaining({
        code: 'similar-code',
        message: expect.stringMatching(/^code like that of 'Bob' \(1\.00\)/),
      }),
    ]);
    expect(codes(flags[1])).toEqual(['identical-model', 'similar-code']);
    expect(flags[2]).toEqual([]);
    // A stated hash the re-grade found false (model-hash) is no evidence of a shared model: copying
    // Ada's hash onto other weights does not get Ada flagged.
    const unverified = submissionSimilarityFlags([
      { submission: ada, starter: tinyBundle.starter },
      {
        submission: { ...cy, model: { ...cy.model!, weightsSha256: ada.model!.weightsSha256 } },
        weightsVerified: false,
      },
    ]);
    expect(unverified).toEqual([[], []]);
    // The flags reach the roster row like any other.
    const result = await regradeSubmission(tf, ada, { bundle: tinyBundle, testDataset: dataset });
    const adaRow = rosterRow('ada.cvsub.json', ada, { ...result, flags: [...result.flags, ...flags[0]] });
    expect(codes(adaRow.flags)).toEqual(['identical-model', 'similar-code']);
  });
});
