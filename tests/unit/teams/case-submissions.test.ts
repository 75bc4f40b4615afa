/**
 * Submissions of exercises graded by cases (function exercises, quizzes): they carry code and no
 * model, and the lead's re-grade runs the code again on the hidden cases.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readCatalog } from '../../../src/cli/catalog';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { findExercise } from '../../../src/core/exercises/catalog';
import type { ExerciseBundle } from '../../../src/core/exercises/schema';
import {
  buildSubmission,
  parseSubmission,
  serializeSubmission,
  type Submission,
} from '../../../src/core/exercises/submission';
import { regradeSubmission } from '../../../src/core/grading/regrade';
import { LearnerError } from '../../../src/core/sandbox/compile';
import { runExercise } from '../../../src/core/sandbox/run';

let iou: ExerciseBundle;
let quiz: ExerciseBundle;

beforeAll(async () => {
  await initNodeBackend('wasm');
  const catalog = await readCatalog();
  iou = findExercise(catalog, 'metrics-iou')!;
  quiz = findExercise(catalog, 'quiz-cnn-architectures')!;
});

/** The run protocol with its sandbox in this thread (the CLI and page use a real one). */
function gradeInThread(bundle: ExerciseBundle) {
  return async (code: string) => {
    const outcome = await runExercise(
      { bundle, code, backend: 'wasm' },
      {
        tf,
        datasetReader: () => async () => new Uint8Array(),
        onEvent: () => {},
        candidateBackends: ['wasm'],
      },
    );
    if (!outcome.report) throw new LearnerError(outcome.error!);
    return outcome.report;
  };
}

/** What the learner's page does after a run: grade the code on the cases, then pack it. */
async function submit(bundle: ExerciseBundle, code: string): Promise<Submission> {
  const report = await gradeInThread(bundle)(code);
  const submission = await buildSubmission({
    learnerName: 'Grace Hopper',
    code,
    report,
    history: [],
    environment: {
      backend: 'wasm',
      userAgent: 'test',
      cvLabVersion: '0.1.0',
      timings: { trainSeconds: 0, gradeSeconds: report.timings.gradeSeconds },
    },
  });
  // Read back as the lead would.
  return parseSubmission(serializeSubmission(submission));
}

describe('case-graded submissions', () => {
  it('carry no model, and re-grade to the same pass with no flags', async () => {
    const submission = await submit(iou, iou.solution);
    expect(submission.model).toBeUndefined();
    expect(submission.report.passed).toBe(true);
    const result = await regradeSubmission(tf, submission, { bundle: iou, gradeCode: gradeInThread(iou) });
    expect(result.flags).toEqual([]);
    expect(result.report!.passed).toBe(true);
    expect(result.report!.metrics.accuracy).toBe(1);
  });

  it('re-grade a failing quiz as failing, and flag a report that claims a pass', async () => {
    const submission = await submit(quiz, quiz.starter);
    expect(submission.report.passed).toBe(false);
    const honest = await regradeSubmission(tf, submission, { bundle: quiz, gradeCode: gradeInThread(quiz) });
    expect(honest.flags).toEqual([]);
    expect(honest.report!.passed).toBe(false);

    const boasted = {
      ...submission,
      report: { ...submission.report, passed: true, metrics: { ...submission.report.metrics, accuracy: 1 } },
    };
    const result = await regradeSubmission(tf, boasted, { bundle: quiz, gradeCode: gradeInThread(quiz) });
    expect(result.flags.map((f) => f.code)).toEqual(['report-mismatch']);
    expect(result.flags[0].message).toMatch(/fails on re-grade, stored report says passed/);
    expect(result.report!.passed).toBe(false);
  });

  it('flag code swapped after the run, and grade the code as shipped', async () => {
    const submission = await submit(iou, iou.starter);
    const swapped = { ...submission, code: iou.solution };
    const result = await regradeSubmission(tf, swapped, { bundle: iou, gradeCode: gradeInThread(iou) });
    expect(result.flags.map((f) => f.code)).toEqual(['code-hash', 'report-mismatch']);
    expect(result.report!.passed).toBe(true);
  });

  it('flag code that cannot run, naming its line', async () => {
    const submission = await submit(iou, iou.solution);
    const broken = { ...submission, code: 'export const x = 1;\nthrow new Error("no boxes today");\n' };
    const result = await regradeSubmission(tf, broken, { bundle: iou, gradeCode: gradeInThread(iou) });
    expect(result.report).toBeNull();
    expect(result.flags.map((f) => f.code)).toEqual(['code-hash', 'code-failed']);
    expect(result.flags[1].message).toBe('the code cannot be run: no boxes today (line 2)');
  });
});
