/**
 * Issue 15 through the real `cv-lab grade`: submissions made by `submission create --set`, then
 * edited as a learner or an attacker edits JSON (codeSha256 fixed where the code changed): a late
 * one, a copy with renamed variables, one made for another set, one from an edited copy of the set,
 * and an exam set's submission made outside the exam. Each gets its flag, naming what it found.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { createSubmission, cvLab, repoRoot } from '../cli/run-cli';
import { buildSet } from '../../../src/core/exercises/set';

const work = mkdtempSync(join(tmpdir(), 'cv-lab-roster-flags-'));
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- edited as a learner edits JSON
type SubmissionJson = Record<string, any>;

const set = buildSet({
  id: 'week-9',
  title: 'Week 9',
  exercises: [{ id: 'metrics-iou' }],
  dueDate: '2030-01-01T00:00:00Z',
  createdAt: '2025-06-01T09:00:00Z',
});
const examSet = buildSet({
  id: 'week-9-exam',
  title: 'Week 9 exam',
  exercises: [{ id: 'metrics-iou' }],
  exam: { enabled: true, minutes: 60, weights: { beginner: 1, intermediate: 2, advanced: 3 } },
  createdAt: '2025-06-01T09:00:00Z',
});
const setPath = join(work, 'week-9.cvset.json');
const examSetPath = join(work, 'week-9-exam.cvset.json');

let ada: SubmissionJson;

function write(name: string, json: SubmissionJson): string {
  const path = join(work, `${name}.cvsub.json`);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

function withCode(json: SubmissionJson, code: string): SubmissionJson {
  return { ...json, code, codeSha256: createHash('sha256').update(code).digest('hex') };
}

beforeAll(async () => {
  writeFileSync(setPath, JSON.stringify(set));
  writeFileSync(examSetPath, JSON.stringify(examSet));
  const out = join(work, 'ada.cvsub.json');
  const made = await createSubmission({
    exercise: 'metrics-iou',
    code: join(repoRoot, 'exercises/metrics-iou/solution.ts'),
    name: 'Ada',
    set: setPath,
    out,
    quiet: true,
  });
  expect(made.code, made.stderr).toBe(0);
  ada = JSON.parse(readFileSync(out, 'utf8'));
  expect(ada.setHash).toMatch(/^[0-9a-f]{64}$/);
}, 120_000);

it('flags late, copied, wrong-set and out-of-exam submissions through the real command', async () => {
  const copied = withCode(
    { ...ada, learner: { name: 'Bob' } },
    ada.code
      .replace(/\bintersection\b/g, 'overlap')
      .replace(/\bheight\b/g, 'h')
      .replace(/\bwidth\b/g, 'w')
      .replace(/\/\*\*.*\*\/\n/, '')
      .replace(/\n\n/g, '\n'),
  );
  const late = withCode(
    { ...ada, learner: { name: 'Cy' }, createdAt: '2031-02-01T10:00:00.000Z' },
    `export function iou(a: number[], b: number[]): number {
  const ix = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const iy = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const inter = ix * iy;
  const sizeOf = (r: number[]) => Math.max(0, r[3] - r[1]) * Math.max(0, r[2] - r[0]);
  const all = sizeOf(a) + sizeOf(b) - inter;
  if (all <= 0) return 0;
  return inter / all;
}
`,
  );
  const otherSet = {
    ...late,
    learner: { name: 'Dee' },
    setId: 'week-8',
    setTitle: 'Week 8',
    createdAt: ada.createdAt,
  };
  const editedCopy = { ...late, learner: { name: 'Eve' }, setHash: 'e'.repeat(64), createdAt: ada.createdAt };
  const files = [
    write('ada', ada),
    write('bob', copied),
    write('cy', late),
    write('dee', otherSet),
    write('eve', editedCopy),
  ];
  const result = await cvLab(['grade', ...files, '--set', setPath, '-q', '--json']);
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toBe('');
  const rows: { learner: string; status: string; flags: { code: string; message: string }[] }[] = JSON.parse(
    result.stdout,
  ).rows;
  const flagsOf = (learner: string) => rows.find((r) => r.learner === learner)!.flags;
  const codesOf = (learner: string) => flagsOf(learner).map((f) => f.code);
  expect(rows.map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);

  expect(codesOf('Ada')).toEqual(['similar-code']);
  expect(flagsOf('Ada')[0].message).toMatch(/^code like that of 'Bob' \(1\.00\)/);
  // Bob's stored report graded Ada's code (its hash), so it also differs from the re-grade.
  expect(codesOf('Bob')).toEqual(['report-mismatch', 'similar-code']);
  expect(flagsOf('Bob')[1].message).toMatch(/^code like that of 'Ada' \(1\.00\)/);

  expect(codesOf('Cy')).toContain('late');
  expect(flagsOf('Cy').find((f) => f.code === 'late')!.message).toBe(
    "made 2031-02-01T10:00:00.000Z: after the due date 2030-01-01T00:00:00Z (times written by the learner's machine)",
  );
  expect(flagsOf('Dee').find((f) => f.code === 'wrong-set')!.message).toBe(
    "made for the set 'Week 8' (week-8), not your set 'Week 9' (week-9)",
  );
  expect(flagsOf('Eve').find((f) => f.code === 'wrong-set')!.message).toMatch(
    /^made from another copy of the set week-9 \(set hash eeeeeeeeeeee, yours [0-9a-f]{12}\)/,
  );
  // Cy, Dee and Eve hand in one learner's code: each names the other two.
  expect(flagsOf('Cy').find((f) => f.code === 'similar-code')!.message).toMatch(
    /^code like that of 'Dee' \(1\.00\), 'Eve' \(1\.00\)/,
  );

  // Against an exam set, a submission made on the command line records no exam.
  const exam = await cvLab(['grade', files[0], '--set', examSetPath, '-q']);
  expect(exam.code).toBe(1);
  expect(exam.stdout).toMatch(/Ada +metrics-iou +PASS .* wrong-set,out-of-exam/);
  expect(exam.stdout).toContain(
    'out-of-exam: the set is an exam of 60 min, but the submission records no exam',
  );
}, 300_000);
