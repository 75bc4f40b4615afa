/**
 * `cv-lab grade --reproduce` through the real command (issue 15): a submission's code is trained
 * again with its recorded seed; an honest one gives the very same weights, and one that carries a
 * model its code did not train (the starter's code with the solution's model) is flagged with the
 * figures.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSubmission, cvLab, repoRoot } from '../cli/run-cli';
import { parseSubmission } from '../../../src/core/exercises/submission';

const fixtures = join(repoRoot, 'tests/fixtures/exercises');
const work = mkdtempSync(join(tmpdir(), 'cv-lab-reproduce-'));
let honestPath: string;

beforeAll(async () => {
  honestPath = join(work, 'ada.cvsub.json');
  const made = await createSubmission({
    exercises: fixtures,
    exercise: 'quick-fashion',
    code: join(fixtures, 'quick-fashion/solution.ts'),
    name: 'Ada',
    out: honestPath,
    seed: 7,
    quiet: true,
  });
  expect(made.code, made.stderr).toBe(0);
});

const grade = (...args: string[]) => cvLab(['grade', '--exercises', fixtures, '-q', '--json', ...args]);

describe('grade --reproduce', () => {
  it('records the seed, and an honest submission trains the same weights again', async () => {
    const honest = parseSubmission(readFileSync(honestPath, 'utf8'));
    expect(honest.environment.seed).toBe(7);
    const result = await grade(honestPath, '--reproduce');
    expect(result.code, result.stderr).toBe(0);
    const [row] = JSON.parse(result.stdout).rows;
    expect(row.flags).toEqual([]);
    expect(row.reproduction).toEqual({
      reproduced: true,
      summary: expect.stringMatching(
        /^trained again here on wasm with its seed 7: the same weights \([0-9a-f]{12}…\), test accuracy (\d+\.\d\d) % here, \1 % for the submitted model$/,
      ),
    });
  });

  it('flags a model its code does not train, which the plain re-grade cannot see', async () => {
    const forged = parseSubmission(readFileSync(honestPath, 'utf8'));
    forged.learner.name = 'Mallory';
    forged.code = readFileSync(join(fixtures, 'quick-fashion/starter.ts'), 'utf8');
    forged.codeSha256 = createHash('sha256').update(forged.code).digest('hex');
    const path = join(work, 'mallory.cvsub.json');
    writeFileSync(path, JSON.stringify(forged));

    const plain = await grade(path);
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout).rows[0]).toMatchObject({ status: 'pass', flags: [] });

    const reproduced = await grade(path, '--reproduce');
    expect(reproduced.code).toBe(1);
    const flags = JSON.parse(reproduced.stdout).rows[0].flags as { code: string; message: string }[];
    expect(flags.map((f) => f.code)).toContain('not-reproduced');
    expect(flags.find((f) => f.code === 'not-reproduced')!.message).toMatch(
      /trained again here on wasm with its seed 7, its code trains weights [0-9a-f]{12}… where the submission carries [0-9a-f]{12}… \(test accuracy \d+\.\d\d % here, \d+\.\d\d % for the submitted model\)/,
    );
  });
});
