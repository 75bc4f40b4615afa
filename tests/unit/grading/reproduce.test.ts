/**
 * Judging a reproduction (core/grading/reproduce.ts), the logic the CLI's `grade --reproduce` and
 * the roster page's "Re-grade and reproduce" share: when the weights must be the same bytes, when
 * the test accuracy within the tolerance is enough, what the figures say, and rules the re-run
 * breaks.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../src/core/exercises/schema';
import type { Submission } from '../../../src/core/exercises/submission';
import { plainReport } from '../../fixtures/teams/plain-submission';
import {
  checkReproduction,
  expectsSameWeights,
  REPRODUCE_ACCURACY_TOLERANCE,
  reproductionBackend,
  type Reproduction,
} from '../../../src/core/grading/reproduce';
import { reproductionOf, reproductionRun } from '../../../src/core/sandbox/reproduction-run';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

/** A report whose test accuracy is `accuracy`, with `checks`. */
function report(accuracy: number, checks: Report['checks'] = []): Report {
  return { ...plainReport('quick-fashion', true, accuracy * 100), checks, modelHash: HASH_A };
}

const epochRule = (passed: boolean) => ({
  id: 'rule:maxEpochs',
  label: 'At most 5 epochs',
  passed,
  detail: passed ? '2 epochs' : '12 epochs',
});

/** Only the fields the judging reads: environment, model hash, report. */
function submission(environment: Partial<Submission['environment']>, submitted = report(0.8)): Submission {
  return {
    environment: { backend: 'wasm', userAgent: 'node v22', seed: 7, ...environment },
    model: { weightsSha256: HASH_A },
    report: submitted,
    code: 'export default async function train() {}',
  } as unknown as Submission;
}

const rerun = (over: Partial<Reproduction> = {}): Reproduction => ({
  report: report(0.8),
  weightsSha256: HASH_A,
  backend: 'wasm',
  node: true,
  ...over,
});

describe('expectsSameWeights', () => {
  it('asks for the same bytes only for a seeded run on the same repeatable backend and runtime', () => {
    expect(expectsSameWeights(submission({}), rerun())).toBe(true);
    // The page re-running a browser's seeded WASM run: the same bytes too.
    const browser = submission({ userAgent: 'Mozilla/5.0 Chrome' });
    expect(expectsSameWeights(browser, rerun({ node: false }))).toBe(true);
    expect(expectsSameWeights(browser, rerun({ node: true }))).toBe(false);
    expect(expectsSameWeights(submission({ seed: undefined }), rerun())).toBe(false);
    expect(expectsSameWeights(submission({ backend: 'cpu' }), rerun())).toBe(false);
    // A GPU's arithmetic depends on the GPU: a seeded WebGL run elsewhere may differ honestly.
    const gpu = submission({ backend: 'webgl', userAgent: 'Mozilla/5.0' });
    expect(expectsSameWeights(gpu, rerun({ backend: 'webgl', node: false }))).toBe(false);
  });
});

describe('checkReproduction', () => {
  it('reproduced by the same weights, with the figures', () => {
    const check = checkReproduction(submission({}), report(0.8), rerun());
    expect(check).toMatchObject({ reproduced: true, flags: [] });
    expect(check.summary).toBe(
      'trained again here on wasm with its seed 7: the same weights (aaaaaaaaaaaa…), test accuracy 80.00 % here, 80.00 % for the submitted model',
    );
  });

  it('flags weights its code does not train, even at the same accuracy', () => {
    const check = checkReproduction(submission({}), report(0.8), rerun({ weightsSha256: HASH_B }));
    expect(check.reproduced).toBe(false);
    expect(check.flags).toEqual([
      {
        code: 'not-reproduced',
        message:
          'trained again here on wasm with its seed 7, its code trains weights bbbbbbbbbbbb… where the submission carries aaaaaaaaaaaa… (test accuracy 80.00 % here, 80.00 % for the submitted model)',
      },
    ]);
    expect(check.summary).toBe(check.flags[0].message);
  });

  it('compares test accuracy within the tolerance where the runs may honestly differ', () => {
    const gpu = submission({ backend: 'webgl', userAgent: 'Mozilla/5.0', seed: undefined });
    const close = rerun({ backend: 'webgl', node: false, weightsSha256: HASH_B, report: report(0.79) });
    const near = checkReproduction(gpu, report(0.8), close);
    expect(near.reproduced).toBe(true);
    expect(near.summary).toMatch(
      /^trained again here on webgl \(it recorded no seed\): test accuracy 79\.00 % here, 80\.00 % for the submitted model, within the ±2\.00 %/,
    );
    const far = checkReproduction(gpu, report(0.8), {
      ...close,
      report: report(0.8 - 2 * REPRODUCE_ACCURACY_TOLERANCE),
    });
    expect(far.reproduced).toBe(false);
    expect(far.flags[0].message).toMatch(
      /reaches test accuracy 76\.00 %; the submitted model reaches 80\.00 %/,
    );
  });

  it("compares with the lead's grade of the submitted model, not the learner's claim", () => {
    const boasting = submission({ backend: 'webgl', userAgent: 'Mozilla/5.0' }, report(0.99));
    const check = checkReproduction(boasting, report(0.8), rerun({ backend: 'webgl', node: false }));
    expect(check.reproduced).toBe(true);
  });

  it('flags a rule the observed re-run breaks that the submitted report claims to meet', () => {
    const claims = submission({}, report(0.8, [epochRule(true)]));
    const check = checkReproduction(claims, report(0.8), rerun({ report: report(0.8, [epochRule(false)]) }));
    expect(check.reproduced).toBe(false);
    expect(check.flags.map((f) => f.message)).toEqual([
      'trained again here on wasm with its seed 7, the run breaks At most 5 epochs (12 epochs), which the submitted report says it met',
    ]);
    expect(check.summary).toMatch(/the same weights .*; the run breaks At most 5 epochs \(12 epochs\)/);
  });

  it('flags code that gives no model, with the reason', () => {
    const check = checkReproduction(submission({}), report(0.8), rerun({ report: undefined, error: 'boom' }));
    expect(check).toMatchObject({ reproduced: false });
    expect(check.flags[0].message).toBe(
      'trained again here on wasm with its seed 7, its code gave no model: boom',
    );
  });
});

describe('the run and its outcome', () => {
  it('trains on the recorded backend where this runtime has it, with the recorded seed', () => {
    expect(reproductionBackend(submission({ backend: 'cpu' }), ['wasm', 'cpu'], 'wasm')).toBe('cpu');
    expect(reproductionBackend(submission({ backend: 'webgpu' }), ['wasm', 'cpu'], 'wasm')).toBe('wasm');
    const bundle = { exercise: { id: 'quick-fashion', limits: { timeSeconds: 120 } } } as never;
    expect(reproductionRun(bundle, submission({}), 'wasm')).toMatchObject({
      backend: 'wasm',
      seed: 7,
      timeLimitSeconds: 120,
    });
    expect(reproductionRun(bundle, submission({ seed: undefined }), 'wasm')).not.toHaveProperty('seed');
  });

  it('reads a stopped run, a failed one and a graded one', () => {
    const where = { node: false, backend: 'wasm' };
    expect(
      reproductionOf(
        { ok: false, history: [], backend: 'wasm', stop: { type: 'stopped' } } as never,
        'x',
        where,
      ).error,
    ).toBeTruthy();
    expect(
      reproductionOf(
        { ok: false, history: [], backend: 'wasm', error: { kind: 'runtime', message: 'oops' } } as never,
        'x',
        where,
      ),
    ).toEqual({ error: 'oops', node: false, backend: 'wasm' });
    expect(
      reproductionOf(
        { ok: true, history: [], backend: 'cpu', report: report(0.5), model: { weightsSha256: HASH_B } },
        'x',
        where,
      ),
    ).toMatchObject({ backend: 'cpu', weightsSha256: HASH_B, node: false });
  });
});
