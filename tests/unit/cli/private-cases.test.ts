/**
 * A lead's private cases through the real CLI: `set validate` runs them on the reference and
 * refuses bad ones; `grade <submission> --set` adds them to the hidden cases, so a submission that
 * hard-codes around the catalog's cases passes alone and fails the lead's re-grade.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cvLab, repoRoot } from './run-cli';

let dir: string;
const set = (privateCases: unknown[]) => ({
  format: 'cv-lab-set',
  version: 1,
  id: 'private-cases',
  title: 'Private cases',
  createdAt: '2026-12-01T00:00:00Z',
  exercises: [{ id: 'metrics-iou', privateCases }],
});
const hugeBoxes = {
  name: 'huge boxes',
  call: 'iou',
  args: [
    [0, 0, 1000, 1000],
    [500, 500, 1500, 1500],
  ],
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-lab-private-cases-'));
  fs.writeFileSync(path.join(dir, 'lead.cvset.json'), JSON.stringify(set([hugeBoxes])));
  const solution = fs.readFileSync(path.join(repoRoot, 'exercises/metrics-iou/solution.ts'), 'utf8');
  fs.writeFileSync(
    path.join(dir, 'cheat.ts'),
    solution.replace(
      /export function iou\(a: Box, b: Box\): number \{/,
      '$&\n  if (Math.max(...a, ...b) > 500) return 0;',
    ),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('private cases in the CLI', () => {
  it('set validate runs them on the reference and names a bad one', async () => {
    const ok = await cvLab(['set', 'validate', path.join(dir, 'lead.cvset.json')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('metrics-iou (1 private case)');

    fs.writeFileSync(
      path.join(dir, 'wrong-call.cvset.json'),
      JSON.stringify(set([{ ...hugeBoxes, call: 'area' }])),
    );
    const wrongCall = await cvLab(['set', 'validate', path.join(dir, 'wrong-call.cvset.json')]);
    expect(wrongCall.code).toBe(2);
    expect(wrongCall.stderr).toMatch(
      /exercise 'metrics-iou': private case 1 \(huge boxes\) calls 'area'; metrics-iou exports iou/,
    );

    const onQuiz = {
      ...set([hugeBoxes]),
      exercises: [{ id: 'quiz-cnn-architectures', privateCases: [hugeBoxes] }],
    };
    fs.writeFileSync(path.join(dir, 'quiz.cvset.json'), JSON.stringify(onQuiz));
    const quiz = await cvLab(['set', 'validate', path.join(dir, 'quiz.cvset.json')]);
    expect(quiz.code).toBe(2);
    expect(quiz.stderr).toMatch(/is a quiz exercise; private cases belong to function exercises/);
  });

  it("the lead's re-grade fails a submission that passes the catalog's cases", async () => {
    const submission = path.join(dir, 'cheat.cvsub.json');
    const created = await cvLab([
      'submission',
      'create',
      '-e',
      'metrics-iou',
      '-c',
      path.join(dir, 'cheat.ts'),
      '-n',
      'Mallory',
      '-o',
      submission,
      '-q',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const plain = await cvLab(['grade', submission, '-q']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/Mallory\s+metrics-iou\s+PASS/);
    const lead = await cvLab([
      'grade',
      submission,
      '--set',
      path.join(dir, 'lead.cvset.json'),
      '-q',
      '--json',
    ]);
    expect(lead.code).toBe(1);
    const row = JSON.parse(lead.stdout).rows[0];
    expect(row.status).toBe('fail');
    expect(row.report.checks.find((c: { label: string }) => c.label === 'private: huge boxes')).toMatchObject(
      {
        passed: false,
      },
    );
  });
});
