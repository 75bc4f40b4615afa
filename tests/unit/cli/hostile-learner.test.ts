/**
 * The CLI's sandbox, attacked as a learner or a submitter would (tests/fixtures/hostile-learner,
 * each file says what it tries and what must happen): through the real `cv-lab grade --code`,
 * `submission create` and the re-grade of a submission file. Nothing may escape the sandbox child
 * (no file read or written, no process, no connection, no secret), and nothing the code does to its
 * own globals may change a grade.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cvLab, repoRoot } from './run-cli';

const hostile = join(repoRoot, 'tests/fixtures/hostile-learner');
const fixtures = join(repoRoot, 'tests/fixtures/exercises');
const work = mkdtempSync(join(tmpdir(), 'cv-lab-hostile-'));
const markers = [
  '/tmp/cv-lab-hostile-marker',
  '/tmp/cv-lab-hostile-regrade-marker',
  join(work, 'cv-lab-hostile-marker'),
];

const grade = (file: string, ...extra: string[]) =>
  cvLab(
    [
      'grade',
      '--exercises',
      fixtures,
      '--exercise',
      'quick-fashion',
      '--code',
      join(hostile, file),
      '--json',
      ...extra,
    ],
    { cwd: work, env: { CV_LAB_HOSTILE_SECRET: 'hunter2' } },
  );

let server: Server;
const connections: string[] = [];
beforeAll(async () => {
  markers.forEach((m) => rmSync(m, { force: true }));
  server = createServer((socket) => {
    connections.push('connected');
    socket.on('data', (d) => connections.push(String(d)));
  });
  await new Promise<void>((resolve) => server.listen(47611, '127.0.0.1', resolve));
});
afterAll(() => {
  server?.close();
});

/** A graded run's report from `--json`, with the check that failed by id. */
function report(stdout: string) {
  return JSON.parse(stdout) as {
    passed: boolean;
    score: number;
    checks: { id: string; passed: boolean; detail: string }[];
  };
}

describe('hostile learner files through cv-lab grade --code', () => {
  it.each(['read-files.ts', 'write-and-spawn.ts', 'network-and-env.ts'])(
    '%s: every attempt is refused and the run is graded as any other',
    async (file) => {
      const result = await grade(file);
      expect(result.stderr).not.toMatch(/ESCAPED/);
      expect(result.code, result.stderr).toBe(1);
      expect(report(result.stdout).passed).toBe(false);
      for (const marker of markers) expect(existsSync(marker), marker).toBe(false);
      expect(connections).toEqual([]);
      expect(result.stdout + result.stderr).not.toMatch(/hunter2|root:x:0/);
    },
  );

  it('forged protocol messages end the run with a clear message, never a pass', async () => {
    const result = await grade('forge-messages.ts');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /the run of quick-fashion was stopped: the sandbox sent a malformed message/,
    );
  });

  it('epochs made with trainOnBatch count against the epoch limit', async () => {
    const result = await grade('train-on-batch-epochs.ts');
    expect(result.code, result.stderr).toBe(1);
    const check = report(result.stdout).checks.find((c) => c.id === 'rule:maxEpochs')!;
    expect(check.passed).toBe(false);
    expect(check.detail).toMatch(/^trained 8 epochs, limit 5/);
  });

  it('updates made outside fit fail the epoch limit and say why', async () => {
    const result = await grade('stepping-outside-fit.ts');
    expect(result.code, result.stderr).toBe(1);
    const check = report(result.stdout).checks.find((c) => c.id === 'rule:maxEpochs')!;
    expect(check.passed).toBe(false);
    expect(check.detail).toMatch(/20 optimizer updates were made outside fit and trainOnBatch/);
  });

  it('an error thrown from a timer ends the run with its line, without a hang', async () => {
    const result = await grade('timer-throws.ts');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/runtime error in .*timer-throws\.ts at line 6:\d+: boom from a timer/);
  });
});

describe('hostile function code', () => {
  it('patching the comparison globals does not pass a wrong function', async () => {
    const result = await cvLab(
      ['grade', '--exercise', 'metrics-iou', '--code', join(hostile, 'function-forged-pass.ts'), '--json'],
      { cwd: work },
    );
    expect(result.code, result.stderr).toBe(1);
    const graded = report(result.stdout);
    expect(graded.passed).toBe(false);
    const cases = graded.checks.filter((c) => c.id.startsWith('case:'));
    expect(cases.length).toBeGreaterThan(5);
    expect(cases.every((c) => !c.passed)).toBe(true);
  });

  it("a submission's code cannot touch the lead's machine when it is re-graded", async () => {
    const other = join(work, 'other.cvsub.json');
    const mine = join(work, 'hostile.cvsub.json');
    const created = await cvLab(
      [
        'submission',
        'create',
        '--exercise',
        'metrics-iou',
        '--code',
        join(hostile, 'function-escape.ts'),
        '--name',
        'Mallory',
        '--out',
        mine,
      ],
      { cwd: work },
    );
    expect(created.code, created.stderr).toBe(0);
    writeFileSync(other, readFileSync(mine, 'utf8').replace('Mallory', 'Alice'));
    const before = readFileSync(other, 'utf8');
    markers.forEach((m) => rmSync(m, { force: true }));
    const regraded = await cvLab(['grade', mine, other, '--json'], { cwd: work });
    // Both pass; Alice's file is Mallory's with the name changed, which the re-grade flags (exit 1).
    expect(regraded.code, regraded.stderr).toBe(1);
    const rows = JSON.parse(regraded.stdout).rows as { status: string; flags: { code: string }[] }[];
    expect(rows.map((r) => r.status)).toEqual(['pass', 'pass']);
    expect(rows.every((r) => r.flags.some((f) => f.code === 'similar-code'))).toBe(true);
    expect(readFileSync(other, 'utf8')).toBe(before);
    for (const marker of markers) expect(existsSync(marker), marker).toBe(false);
  });
});
