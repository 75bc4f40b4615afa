/**
 * Exam mode for real (issue 10, item 5): the page holds cards, not solutions; the host grades with
 * a key (hidden cases and the reference's answers, or the quiz's answers); a lead's set adds private
 * cases that learners never receive.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readCatalog } from '../../../src/cli/catalog';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { findExercise, type Catalog } from '../../../src/core/exercises/catalog';
import { cardOf, type ExerciseBundle } from '../../../src/core/exercises/schema';
import { buildSet, hasPrivateParts, learnerCopy, parseSet } from '../../../src/core/exercises/set';
import { runExercise } from '../../../src/core/sandbox/run';
import { gradingKeyOf, prepareCases, type GradingKey } from '../../../src/core/sandbox/run-cases';
import { fromCaseJson, toCaseJson } from '../../../src/core/shared/case-json';
import { exercisesPlugin } from '../../../scripts/vite-plugin-exercises';
import { repoRoot } from '../cli/run-cli';

let catalog: Catalog;
let iou: ExerciseBundle;
let quiz: ExerciseBundle;
let quantize: ExerciseBundle;

beforeAll(async () => {
  await initNodeBackend('wasm');
  catalog = await readCatalog();
  iou = findExercise(catalog, 'metrics-iou')!;
  quiz = findExercise(catalog, 'quiz-cnn-architectures')!;
  quantize = findExercise(catalog, 'deploy-quantize')!;
});

function runWith(bundle: ExerciseBundle | ReturnType<typeof cardOf>, code: string, gradingKey?: GradingKey) {
  return runExercise(
    { bundle, code, backend: 'wasm', ...(gradingKey ? { gradingKey } : {}) },
    {
      tf,
      datasetReader: () => async () => new Uint8Array(),
      onEvent: () => {},
      candidateBackends: ['wasm'],
    },
  );
}

describe('cards', () => {
  it('hold no solution, hints, cases, answers or explanations', () => {
    for (const bundle of catalog.bundles) {
      const card = cardOf(bundle);
      const text = JSON.stringify(card);
      expect(Object.keys(card).sort()).toEqual(
        [
          'brief',
          'exercise',
          'starter',
          ...(bundle.hints ? ['hasHints'] : []),
          ...(bundle.quiz ? ['quiz'] : []),
        ].sort(),
      );
      // The measured runs name the reference's recipe (an exam task's hints): authors' data only.
      expect(card.exercise).not.toHaveProperty('calibration');
      if (bundle.solution.trim() !== bundle.starter.trim())
        expect(text).not.toContain(JSON.stringify(bundle.solution).slice(1, -1));
      for (const question of bundle.quiz?.questions ?? []) {
        expect(text).not.toContain(question.explanation);
        const shown = card.quiz!.questions.find((q) => q.id === question.id)!;
        expect(shown).not.toHaveProperty('answer');
        expect(shown.multiple === true).toBe(Array.isArray(question.answer));
      }
    }
  });

  it('a card cannot be graded without a key; with one it grades as the whole folder does', async () => {
    const refused = await runWith(cardOf(iou), iou.solution);
    expect(refused.ok).toBe(false);
    expect(refused.error?.message).toMatch(/needs its grading key/);
    const key = await gradingKeyOf(tf, iou);
    const graded = await runWith(cardOf(iou), iou.solution, key);
    expect(graded.report?.passed).toBe(true);
    expect(graded.report?.metrics.testCount).toBe(key.kind === 'cases' ? key.prepared.cases.length : -1);
  });

  it('a quiz in an exam is recorded for the lead: no answers on the host, no score', async () => {
    const outcome = await runWith(cardOf(quiz), quiz.solution, { kind: 'quizRecorded' });
    expect(outcome.report).toMatchObject({ passed: false, score: 0, gradedByLead: true });
    expect(outcome.report?.checks.map((c) => c.detail).join(' ')).toMatch(/team lead grades the quiz/);
    const graded = await runWith(quiz, quiz.solution);
    expect(graded.report).toMatchObject({ passed: true, score: 100 });
    expect(graded.report?.gradedByLead).toBeUndefined();
  });
});

describe('case JSON', () => {
  it('round-trips typed arrays, tensors and NaN', () => {
    const value = [
      new Float32Array([0.5, -1]),
      { $tensor: { shape: [2], dtype: 'int32', values: [1, 2] } },
      { nested: [NaN, Infinity, 3, 'text', null] },
      new Uint8Array([1, 255]),
    ];
    const back = fromCaseJson(JSON.parse(JSON.stringify(toCaseJson(value as never))), 'value') as unknown[];
    expect(back[0]).toBeInstanceOf(Float32Array);
    expect(Array.from(back[0] as Float32Array)).toEqual([0.5, -1]);
    expect(back[1]).toEqual(value[1]);
    expect((back[2] as { nested: unknown[] }).nested).toEqual([NaN, Infinity, 3, 'text', null]);
    expect(back[3]).toBeInstanceOf(Uint8Array);
  });

  it('refuses what is not case data, naming where', () => {
    expect(() => fromCaseJson({ $typed: 'Function', values: [] }, 'arg')).toThrow(
      /arg: \$typed must be one of/,
    );
    expect(() => fromCaseJson({ $tensor: { shape: [2, 2], values: [1] } }, 'arg')).toThrow(
      /shape \[2, 2\] needs 4 values, not 1/,
    );
    expect(() => fromCaseJson({ $tensor: { shape: [1], dtype: 'string', values: [1] } }, 'arg')).toThrow(
      /dtype/,
    );
    expect(() => fromCaseJson({ $typed: 'Int32Array', values: ['1'] }, 'arg')).toThrow(/finite numbers/);
    expect(() => fromCaseJson({ $number: 'eval' }, 'arg')).toThrow(/NaN, Infinity or -Infinity/);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(() => fromCaseJson(deep, 'arg')).toThrow(/nested more than 32 levels/);
  });
});

describe('private cases', () => {
  const privateCases = [
    {
      name: 'huge boxes',
      call: 'iou',
      args: [
        [0, 0, 1000, 1000],
        [500, 500, 1500, 1500],
      ],
    },
    {
      name: 'typed box',
      call: 'iou',
      args: [{ $typed: 'Float32Array', values: [0, 0, 2, 2] }, [1, 1, 3, 3]],
    },
  ];

  it('join the hidden cases, answered by the reference', async () => {
    const plain = await prepareCases(tf, iou);
    const prepared = await prepareCases(tf, iou, privateCases);
    expect(prepared.cases.slice(-2).map((c) => c.name)).toEqual([
      'private: huge boxes',
      'private: typed box',
    ]);
    expect(prepared.expected.slice(-2)).toEqual([250_000 / 1_750_000, 1 / 7]);
    expect(prepared.casesHash).not.toBe(plain.casesHash);
    await expect(prepareCases(tf, iou, [{ name: 'x', call: 'area', args: [] }])).rejects.toThrow(
      /private case 1 \(x\) calls 'area'; metrics-iou exports iou/,
    );
  });

  it('fail a submission that hard-codes the catalog cases', async () => {
    const cheat = iou.solution.replace(
      /export function iou\(a: Box, b: Box\): number \{/,
      '$&\n  if (Math.max(...a, ...b) > 500) return 0;',
    );
    expect(cheat).not.toBe(iou.solution);
    expect((await runWith(iou, cheat)).report?.passed).toBe(true);
    const withPrivate = await runWith(iou, cheat, await gradingKeyOf(tf, iou, privateCases));
    expect(withPrivate.report?.passed).toBe(false);
    expect(withPrivate.report?.checks.find((c) => c.label === 'private: huge boxes')?.passed).toBe(false);
  });

  it("travel in the lead's set only: learner copies and links drop them", async () => {
    const set = buildSet({ title: 'Week 3', exercises: [{ id: 'metrics-iou', privateCases }] });
    const read = await parseSet(JSON.stringify(set));
    expect(read.exercises[0].privateCases).toHaveLength(2);
    expect(hasPrivateParts(read)).toBe(true);
    const copy = learnerCopy(read);
    expect(copy.exercises[0]).not.toHaveProperty('privateCases');
    expect(hasPrivateParts(copy)).toBe(false);
    const bad = {
      ...set,
      exercises: [
        {
          id: 'metrics-iou',
          privateCases: [{ name: 'x', call: 'iou', args: [{ $tensor: { shape: [3], values: [1] } }] }],
        },
      ],
    };
    await expect(parseSet(JSON.stringify(bad))).rejects.toThrow(
      /privateCases\.0\.args: argument 1\.\$tensor: shape \[3\] needs 3 values, not 1/,
    );
  });
});

describe('the build', () => {
  /** Calls the plugin's load hook as Vite does. */
  async function load(id: string): Promise<string> {
    const plugin = exercisesPlugin({ root: repoRoot });
    const resolved = (plugin.resolveId as (id: string) => string)(id);
    const code = await (plugin.load as (this: unknown, id: string) => Promise<string>).call(
      { addWatchFile: () => {} },
      resolved,
    );
    return code;
  }

  it('writes cards for the page and each secret into a module of its own', async () => {
    const page = await load('virtual:cv-lab/catalog');
    for (const bundle of catalog.bundles) {
      if (bundle.hints) expect(page).not.toContain(JSON.stringify(bundle.hints).slice(1, 80));
      for (const question of bundle.quiz?.questions ?? []) expect(page).not.toContain(question.explanation);
    }
    expect(page).toContain('cv-lab-part:hints:metrics-iou');
    expect(page).not.toContain('cv-lab-part:quiz:');
    const grading = await load('virtual:cv-lab/grading');
    expect(grading).toContain('cv-lab-part:cases:deploy-quantize');
    expect(grading).toContain('cv-lab-part:quiz:quiz-cnn-architectures');
  });

  it("computes a function exercise's key as the host does, typed arrays included", async () => {
    const code = await load('\0cv-lab-part:cases:deploy-quantize');
    const key = JSON.parse(code.replace(/^export default /, '').replace(/;$/, ''));
    const live = await prepareCases(tf, quantize);
    expect(key.cases).toEqual(live.cases);
    expect(key.casesHash).toBe(live.casesHash);
    const args = key.calls.map((c: { args: unknown[] }) => c.args.map((a, i) => fromCaseJson(a, `arg ${i}`)));
    expect(args[0][0].constructor).toBe(live.calls[0].args[0]!.constructor);
    const expected = key.expected.map((v: unknown) => fromCaseJson(v, 'expected'));
    expect(expected).toHaveLength(live.expected.length);
    // The build computes on the CPU backend, the CLI on WASM: equal within the exercise's tolerance.
    const flat = (v: unknown): number[] =>
      typeof v === 'number'
        ? [v]
        : Array.isArray(v)
          ? v.flatMap(flat)
          : v && typeof v === 'object'
            ? Object.values(v).flatMap(flat)
            : [];
    const a = flat(expected);
    const b = flat(live.expected);
    expect(a.length).toBe(b.length);
    a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThanOrEqual(quantize.exercise.tolerance ?? 1e-4));
  });
});
