/**
 * The lab worker's logic driven directly, without a Worker: `LabWorkerHost.run()` and `regrade()`
 * get one end of a MessageChannel whose other end is served by the sandbox side in this thread, as
 * src/sandbox/browser-worker.ts serves its port in the page. The grading keys come from the
 * build's `virtual:cv-lab/grading` (vitest.config.ts adds the exercises plugin). Only exercises that
 * need no dataset: the host's dataset reader is the browser's (fetch, Cache Storage, IndexedDB).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readCatalog } from '../../../src/cli/catalog';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { findExercise } from '../../../src/core/exercises/catalog';
import { cardOf, type ExerciseBundle, type ExerciseCard } from '../../../src/core/exercises/schema';
import {
  buildSubmission,
  parseSubmission,
  serializeSubmission,
  type Submission,
} from '../../../src/core/exercises/submission';
import type { RunEvent } from '../../../src/core/sandbox/events';
import type { HostMessage, SandboxMessage } from '../../../src/core/sandbox/protocol';
import { serveSandbox } from '../../../src/core/sandbox/sandbox-side';
import type { LabRunOutcome, PageRunRequest } from '../../../src/worker/contract';
import { LabWorkerHost } from '../../../src/worker/lab-worker-host';

let iou: ExerciseBundle;
let quiz: ExerciseBundle;
const host = new LabWorkerHost('http://lab.test');

beforeAll(async () => {
  await initNodeBackend('wasm');
  const catalog = await readCatalog();
  iou = findExercise(catalog, 'metrics-iou')!;
  quiz = findExercise(catalog, 'quiz-cnn-architectures')!;
});

/** Ports left open keep the test process alive: each test closes what it opened. */
const opened: MessagePort[] = [];
afterEach(() => {
  for (const port of opened.splice(0)) port.close();
});

/**
 * A sandbox in this thread, wired as the page's sandbox worker wires its port: the returned port is
 * the lab worker's end, the other end serves one job.
 */
function openSandbox(): MessagePort {
  const { port1, port2 } = new MessageChannel();
  opened.push(port1, port2);
  const listeners: ((message: HostMessage) => void)[] = [];
  port2.onmessage = (message) => listeners.forEach((listener) => listener(message.data as HostMessage));
  const post = (message: SandboxMessage, transfer: ArrayBuffer[] = []) =>
    port2.postMessage(message, transfer);
  serveSandbox(
    {
      send: (message, transfer) => post(message, transfer),
      onMessage: (listener) => listeners.push(listener),
    },
    { tf },
  );
  return port1;
}

async function run(
  card: ExerciseCard,
  code: string,
  extra: Partial<PageRunRequest> = {},
): Promise<{ outcome: LabRunOutcome; events: RunEvent[] }> {
  const events: RunEvent[] = [];
  const outcome = await host.run(
    { bundle: card, code, backend: 'wasm', ...extra },
    openSandbox(),
    (event) => {
      events.push(event);
    },
  );
  return { outcome, events };
}

/** An event as one short line: its type and what the page reads first from it. */
function summary(event: RunEvent): string {
  switch (event.type) {
    case 'phase':
      return event.phase === 'done' ? `phase done: ${event.message}` : `phase ${event.phase}`;
    case 'backend':
      return `backend ${event.backend}`;
    case 'error':
      return `error line ${event.error.line}`;
    default:
      return event.type;
  }
}

const phases = (events: RunEvent[]) =>
  events.flatMap((event) => (event.type === 'phase' ? [event.phase] : []));

describe('LabWorkerHost.run', () => {
  it("grades a function exercise's card with the key it loads itself, events before the outcome", async () => {
    const { outcome, events } = await run(cardOf(iou), iou.solution);
    expect(outcome).toMatchObject({ ok: true, backend: 'wasm' });
    expect(outcome.report).toMatchObject({ exerciseId: 'metrics-iou', passed: true, score: 100 });
    expect(outcome.model).toBeUndefined();
    expect(outcome).not.toHaveProperty('modelKept');
    // Every event reached the page before the outcome: the last one is the phase that says so.
    expect(events.map(summary)).toEqual([
      'phase backend',
      'backend wasm',
      'phase compile',
      'phase grade',
      'report',
      'phase done: Passed',
    ]);
    expect(events.find((e) => e.type === 'report')).toEqual({ type: 'report', report: outcome.report });
  });

  it('fails a wrong answer on the hidden cases', async () => {
    const { outcome } = await run(cardOf(iou), iou.starter);
    expect(outcome.ok).toBe(true);
    expect(outcome.report?.passed).toBe(false);
    expect(outcome.report?.checks.some((check) => !check.passed)).toBe(true);
  });

  it("ignores a grading key the page sends: the worker's own decides", async () => {
    const forged = { kind: 'cases', prepared: { cases: [], calls: [], expected: [], casesHash: 'x' } };
    const { outcome } = await run(cardOf(iou), iou.starter, { gradingKey: forged } as never);
    expect(outcome.report?.passed).toBe(false);
    expect(outcome.report?.metrics.testCount).toBeGreaterThan(0);
  });

  it('records a quiz in exam mode for the lead, and scores it outside an exam', async () => {
    const exam = await run(cardOf(quiz), quiz.solution, { exam: true });
    expect(exam.outcome.report).toMatchObject({ passed: false, score: 0, gradedByLead: true });
    expect(exam.events.find((e) => e.type === 'report')).toEqual({
      type: 'report',
      report: exam.outcome.report,
    });
    // No backend for a quiz: the answers are read, not computed; and an exam's quiz is handed in.
    expect(exam.events.map(summary)).toEqual([
      'phase compile',
      'phase grade',
      'report',
      'phase done: Handed in',
    ]);
    const practice = await run(cardOf(quiz), quiz.solution);
    expect(practice.outcome.report).toMatchObject({ passed: true, score: 100 });
    expect(practice.outcome.report?.gradedByLead).toBeUndefined();
  });

  it('reports learner code that throws with its line, as an event and in the outcome', async () => {
    const code = 'export const x = 1;\nthrow new Error("no boxes today");\n';
    const { outcome, events } = await run(cardOf(iou), code);
    expect(events.map(summary)).toEqual(['phase backend', 'backend wasm', 'phase compile', 'error line 2']);
    expect(outcome.ok).toBe(false);
    expect(outcome.report).toBeUndefined();
    expect(outcome.error).toMatchObject({ message: expect.stringMatching(/no boxes today/), line: 2 });
    expect(events.at(-1)).toEqual({ type: 'error', error: outcome.error });
  });

  it('fails the cases a function throws on, with its message, and still reports', async () => {
    const code = iou.solution.replace(
      /export function iou\(a: Box, b: Box\): number \{/,
      '$&\n  if (a[0] > 0) throw new Error("no boxes today");',
    );
    const { outcome, events } = await run(cardOf(iou), code);
    expect(outcome.ok).toBe(true);
    expect(outcome.report?.passed).toBe(false);
    const line = code.split('\n').findIndex((text) => text.includes('no boxes today')) + 1;
    const cases = outcome.report!.checks.filter((check) => check.id.startsWith('case:'));
    const failed = cases.filter((check) => !check.passed);
    expect(failed.length).toBeGreaterThan(0);
    for (const check of failed) expect(check.detail).toBe(`threw no boxes today (line ${line})`);
    const target = outcome.report!.checks.find((check) => check.id === 'target:accuracy:test');
    expect(target).toMatchObject({
      passed: false,
      detail: `${cases.length - failed.length} of ${cases.length} cases pass`,
    });
    expect(events.some((e) => e.type === 'error')).toBe(false);
  });

  it('reports code that does not compile with its line', async () => {
    const { outcome, events } = await run(cardOf(iou), 'export function iou(a, b) {\n  return a +;\n}\n');
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatchObject({ kind: 'compile', line: 2 });
    expect(phases(events)).toContain('compile');
    expect(phases(events)).not.toContain('grade');
  });
});

describe('LabWorkerHost.regrade', () => {
  /** What a learner's page submits after a graded run through the worker. */
  async function submit(bundle: ExerciseBundle, code: string): Promise<Submission> {
    const { outcome } = await run(cardOf(bundle), code);
    const submission = await buildSubmission({
      learnerName: 'Grace Hopper',
      code,
      report: outcome.report!,
      history: [],
      environment: {
        backend: 'wasm',
        userAgent: 'test',
        cvLabVersion: '0.1.0',
        timings: { trainSeconds: 0, gradeSeconds: outcome.report!.timings.gradeSeconds },
      },
    });
    return parseSubmission(serializeSubmission(submission));
  }

  /** Passes the catalog's cases by returning 0 for any box far out, which no hidden case has. */
  const cheat = () =>
    iou.solution.replace(
      /export function iou\(a: Box, b: Box\): number \{/,
      '$&\n  if (Math.max(...a, ...b) > 500) return 0;',
    );
  const privateCases = [
    {
      name: 'huge boxes',
      call: 'iou',
      args: [
        [0, 0, 1000, 1000],
        [500, 500, 1500, 1500],
      ],
    },
  ];

  it('re-grades a function submission in a fresh sandbox to the same pass, with no flags', async () => {
    const submission = await submit(iou, iou.solution);
    const answer = await host.regrade({ submission, bundle: cardOf(iou), backend: 'wasm' }, openSandbox());
    expect(answer.backend).toBe('wasm');
    expect(answer.flags).toEqual([]);
    expect(answer.report).toMatchObject({ passed: true, score: 100 });
  });

  it("with the set's private cases, fails code that hard-codes the catalog's cases", async () => {
    const code = cheat();
    expect(code).not.toBe(iou.solution);
    const submission = await submit(iou, code);
    expect(submission.report.passed).toBe(true);

    const plain = await host.regrade({ submission, bundle: cardOf(iou), backend: 'wasm' }, openSandbox());
    expect(plain.report?.passed).toBe(true);
    expect(plain.flags).toEqual([]);

    const withPrivate = await host.regrade(
      { submission, bundle: cardOf(iou), privateCases, backend: 'wasm' },
      openSandbox(),
    );
    expect(withPrivate.report?.passed).toBe(false);
    expect(withPrivate.report?.checks.find((c) => c.label === 'private: huge boxes')?.passed).toBe(false);
    expect(withPrivate.report?.metrics.testCount).toBe(plain.report!.metrics.testCount + 1);
    // The private cases change the cases' hash, so the stored pass is not compared with this one.
    expect(withPrivate.flags).toEqual([]);
  });

  it('flags code that cannot run, naming its line', async () => {
    const submission = await submit(iou, iou.solution);
    const broken = { ...submission, code: 'export const x = 1;\nthrow new Error("no boxes today");\n' };
    const answer = await host.regrade(
      { submission: broken, bundle: cardOf(iou), backend: 'wasm' },
      openSandbox(),
    );
    expect(answer.report).toBeNull();
    expect(answer.flags.map((f) => f.code)).toEqual(['code-hash', 'code-failed']);
    expect(answer.flags[1].message).toBe('the code cannot be run: no boxes today (line 2)');
  });

  it('refuses to re-grade code without a sandbox to run it in', async () => {
    const submission = await submit(iou, iou.solution);
    await expect(host.regrade({ submission, bundle: cardOf(iou), backend: 'wasm' })).rejects.toThrow(
      /re-grading metrics-iou runs its code: it needs a sandbox/,
    );
  });
});
