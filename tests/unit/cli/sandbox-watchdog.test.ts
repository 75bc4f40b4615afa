/**
 * Learner code runs in a sandbox child the CLI can stop (src/cli/sandbox/node-sandbox.ts, watched by
 * core/sandbox/supervise.ts): an endless loop, an error thrown from a timer and a runaway
 * allocation each end the command with exit 2 and a
 * message that names the exercise, never a hang. The command runs as a user runs it (a spawned
 * process), on the `quick-fashion` fixture with a lowered `--time-limit`; nothing here asserts
 * how long anything takes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cvLab, repoRoot } from './run-cli';
import { findExercise } from '../../../src/core/exercises/catalog';
import { readCatalog } from '../../../src/cli/catalog';
import { runInSandbox } from '../../../src/cli/sandbox/run-in-sandbox';
import {
  describeSandboxStop,
  effectiveTimeLimit,
  SANDBOX_START_SECONDS,
  stopError,
  watchdogBudgetSeconds,
  watchdogGraceSeconds,
} from '../../../src/core/sandbox/watchdog';

const root = repoRoot;
const fixtures = join(root, 'tests/fixtures/exercises');
const work = mkdtempSync(join(tmpdir(), 'cv-lab-thread-'));

function learnerFile(name: string, lines: string[]): string {
  const path = join(work, name);
  writeFileSync(path, lines.join('\n'));
  return path;
}

// From another working directory, as `npx cv-lab` runs from a lead's own folder.
const cvLabHere = (args: string[]) => cvLab(args, { cwd: work });

const grade = (code: string, ...extra: string[]) =>
  cvLabHere(['grade', '--exercises', fixtures, '--exercise', 'quick-fashion', '--code', code, ...extra]);

describe('cv-lab grade with learner code that never returns', () => {
  it('stops an endless loop in train(lab), after streaming its progress, and exits 2', async () => {
    const file = learnerFile('loop.ts', [
      "import type { Lab } from 'cv-lab';",
      'export default async function train(lab: Lab) {',
      "  await lab.data.load('fashion-mnist', { limit: 100 });",
      '  while (true) {}',
      '}',
    ]);
    // A few seconds, so that loading the dataset fits in the limit even on a busy machine.
    const result = await grade(file, '--time-limit', '5');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    // Events from the sandbox reached the terminal before it was stopped.
    expect(result.stderr).toMatch(/Loaded fashion-mnist: 100 training images/);
    expect(result.stderr).toMatch(
      /cv-lab: .*loop\.ts: learner code for quick-fashion did not return within 5 s \(--time-limit\); it was stopped \d+ s later — an endless loop\?/,
    );
  });

  it('stops an endless loop at the top of the module', async () => {
    const file = learnerFile('top-loop.ts', ['while (true) {}', 'export default async function train() {}']);
    const result = await grade(file, '--time-limit', '1', '--json');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/learner code for quick-fashion did not return within 1 s/);
  });

  it('reports an error thrown from a timer with its line, instead of hanging on the run', async () => {
    const file = learnerFile('timer.ts', [
      "import type { Lab } from 'cv-lab';",
      'export default async function train(lab: Lab) {',
      '  setTimeout(() => {',
      "    throw new Error('boom from a timer');",
      '  }, 10);',
      '  await new Promise(() => {});',
      '}',
    ]);
    const result = await grade(file, '-q');
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/runtime error in .*timer\.ts at line 4:\d+: boom from a timer/);
  });

  it('still grades a normal run, keeping the exercise limit when --time-limit is higher', async () => {
    const result = await grade(join(fixtures, 'quick-fashion/solution.ts'), '--time-limit', '100000');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^PASSED {2}quick-fashion/);
    expect(result.stderr).toMatch(/warning: --time-limit 100000 s is above the exercise's limit of 120 s/);
    expect(result.stderr).toMatch(/\(time limit 120 s\)/);
    expect(result.stderr).toMatch(/Epoch 3: loss/);
  });
});

describe('runInSandbox', () => {
  it('ends a sandbox that runs out of memory with a message, not a crash of the process', async () => {
    const catalog = await readCatalog(fixtures);
    const bundle = findExercise(catalog, 'quick-fashion')!;
    const code = [
      'const kept: object[] = [];',
      'export default async function train() {',
      '  while (true) kept.push({ n: kept.length, text: `item ${kept.length}` });',
      '}',
    ].join('\n');
    const events: string[] = [];
    const outcome = await runInSandbox(
      { bundle, code, backend: 'wasm', timeLimitSeconds: 60 },
      { onEvent: (event) => events.push(event.type), memoryCapBytes: 2 ** 30, onOutput: () => {} },
    );
    expect(outcome.stop?.type).toBe('crashed');
    if (outcome.stop?.type !== 'crashed') return;
    expect(outcome.stop.outOfMemory).toBe(true);
    expect(events).toContain('phase');
    expect(describeSandboxStop(outcome.stop, 'quick-fashion')).toMatch(
      /^learner code for quick-fashion ran out of memory: out of memory \(512 MB JavaScript heap\); it was stopped/,
    );
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime' } });
  });
});

describe('the watchdog limits', () => {
  it('lets --time-limit lower the exercise limit, never raise it', () => {
    expect(effectiveTimeLimit(600, undefined)).toEqual({
      seconds: 600,
      source: "the exercise's limit",
      ignored: false,
    });
    expect(effectiveTimeLimit(600, 5)).toEqual({ seconds: 5, source: '--time-limit', ignored: false });
    expect(effectiveTimeLimit(600, 600)).toEqual({
      seconds: 600,
      source: "the exercise's limit",
      ignored: false,
    });
    expect(effectiveTimeLimit(600, 900)).toEqual({
      seconds: 600,
      source: "the exercise's limit",
      ignored: true,
    });
  });

  it('gives each phase its budget: start-up, then the time limit plus a grace', () => {
    expect(watchdogBudgetSeconds(600, 'start')).toBe(SANDBOX_START_SECONDS);
    expect(watchdogBudgetSeconds(600, 'run')).toBe(600);
    // Grading runs in the host, on the host's code: no phase of its own.
    expect(watchdogGraceSeconds(600)).toBe(60);
    expect(watchdogGraceSeconds(1)).toBe(10);
  });

  it('says what was stopped, naming the exercise and the limit', () => {
    expect(
      describeSandboxStop(
        { type: 'timeout', phase: 'run', budgetSeconds: 600, graceSeconds: 60 },
        'fashion-mnist-cnn',
      ),
    ).toBe(
      "learner code for fashion-mnist-cnn did not return within 600 s (the exercise's limit); " +
        'it was stopped 60 s later — an endless loop?',
    );
    expect(
      stopError({ type: 'timeout', phase: 'run', budgetSeconds: 5, graceSeconds: 10 }, 'x', '--time-limit'),
    ).toMatchObject({
      kind: 'time',
      message:
        'learner code for x did not return within 5 s (--time-limit); it was stopped 10 s later — an endless loop?',
    });
  });
});
