/**
 * Re-grading a submission on the lead's side, trusting nothing the learner's run wrote:
 *
 *   1. the code's SHA-256 against `codeSha256`                     → flag `code-hash`
 *   2. the weights' SHA-256 against `model.weightsSha256`, and that against the stored report's
 *      `modelHash` (the model shipped must be the model graded)   → flag `model-hash`
 *   3. the model rebuilt from its artifacts (tfjs)                 → flag `model-unloadable`
 *   4. the grader (`gradeModel`) on the lead's test data: the exercise's test split, or the set's
 *      private test
 *   5. the new report against the stored one                       → flag `report-mismatch`:
 *      the model hash must match; pass/fail and accuracy (within 0.005) are compared when both were
 *      graded on the same data (same dataset hash); on other data (a private test) they differ by
 *      design, and the new report is the one that counts.
 *
 * A flagged submission is still graded when its model loads (a tampered model is graded as
 * shipped), so the lead sees both the flag and what the model really does.
 *
 * Function exercises and quizzes have no model: their code is run again on the exercise's hidden
 * cases, as in the learner's run, so the code hash stands in for the model hash. That runs the
 * learner's code, so the caller passes `gradeCode`, which runs it in a fresh sandbox.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';
import { toTestTensors } from '../datasets/tensors';
import type { LoadedDataset } from '../datasets/types';
import type { ExerciseCard, Report } from '../exercises/schema';
import { codeHash, type Submission } from '../exercises/submission';
import { decodeWeights, deserializeModel } from '../models/artifacts';
import { loadPretrainedBases, type ModelFileReader } from '../models/registry';
import { gradeModel } from './grade';
import { errorMessage } from '../shared/errors';
import { setHash, type CvSet } from '../exercises/set';

export type RegradeFlagCode =
  | 'model-hash'
  | 'code-hash'
  | 'report-mismatch'
  | 'model-unloadable'
  | 'code-failed'
  /** Made after the set's due date (by its `createdAt` or its exam's times): `setFlags`. */
  | 'late'
  /** An exam set's submission made outside the recorded exam window, or with no exam recorded. */
  | 'out-of-exam'
  /** Made for another set, or from another copy (set hash) of the lead's set. */
  | 'wrong-set'
  /** The same trained weights as another learner's submission: `similarityFlags`. */
  | 'identical-model'
  /** Code identical or nearly identical to another learner's (token fingerprints). */
  | 'similar-code'
  /** `--reproduce`: the submission's code, trained again here, does not give its model or its figures. */
  | 'not-reproduced';

export interface RegradeFlag {
  code: RegradeFlagCode;
  message: string;
}

export interface RegradeResult {
  /** The lead's report; null when the model could not be loaded or graded. */
  report: Report | null;
  /** The report the submission carried (not trusted). */
  stored: Report;
  flags: RegradeFlag[];
  /**
   * When the re-grade also trained the code again (`--reproduce`, the roster's "reproduce"):
   * whether it gave the submitted model, and the figures (grading/reproduce.ts). Its
   * `not-reproduced` flags are in `flags`.
   */
  reproduction?: { reproduced: boolean; summary: string };
}

export interface RegradeInput {
  /** The exercise as the set asks for it (`applySetOverrides`), or as the catalog has it. */
  bundle: ExerciseCard;
  /**
   * Loaded with its `test` split: the prepared dataset, or `privateTestDataset(set.privateTest)`.
   * Not needed for function exercises and quizzes (see `needsTestData`).
   */
  testDataset?: LoadedDataset;
  /**
   * Runs the learner's code of a function exercise or quiz on the hidden cases in a fresh sandbox
   * (a supervised run: sandbox/supervise.ts) and returns the report, or throws with the reason it
   * could not. Needed for those exercises; learner code never runs in the re-grader's thread.
   */
  gradeCode?: (code: string) => Promise<Report>;
  /** Reads registered pretrained models: a model built on a published graph base needs it rebuilt. */
  modelReader?: (modelId: string) => ModelFileReader;
  /**
   * The lead's set, when re-grading against one: adds the `late`, `out-of-exam` and `wrong-set`
   * flags (`setFlags`). The page's roster re-grades in a worker and calls `setFlags` itself.
   */
  set?: CvSet;
}

/** Whether re-grading this exercise grades a model on test data (else: code on hidden cases). */
export function needsTestData(bundle: ExerciseCard): boolean {
  return bundle.exercise.kind === 'train';
}

/** Accuracy may differ this much between the stored report and the re-grade (backend rounding). */
export const ACCURACY_TOLERANCE = 0.005;

export async function regradeSubmission(
  tf: TF,
  submission: Submission,
  { bundle, testDataset, gradeCode, set, modelReader }: RegradeInput,
): Promise<RegradeResult> {
  const result = await regradeAlone(tf, submission, bundle, testDataset, gradeCode, modelReader);
  if (set) result.flags.push(...(await setFlags(submission, set)));
  return result;
}

/**
 * A binary exercise's decision threshold as the learner's run declared it (`export const
 * threshold`, recorded in the report): part of what was submitted, so the lead grades at it too.
 * Anything but a probability strictly between 0 and 1 is ignored (the grader's 0.5).
 */
function declaredThreshold(report: Report): { threshold?: number } {
  const threshold = report.metrics.binary?.threshold;
  return typeof threshold === 'number' && threshold > 0 && threshold < 1 ? { threshold } : {};
}

async function regradeAlone(
  tf: TF,
  submission: Submission,
  bundle: ExerciseCard,
  testDataset: LoadedDataset | undefined,
  gradeCode: ((code: string) => Promise<Report>) | undefined,
  modelReader: ((modelId: string) => ModelFileReader) | undefined,
): Promise<RegradeResult> {
  const stored = submission.report;
  const flags: RegradeFlag[] = [];

  if ((await codeHash(submission.code)) !== submission.codeSha256) {
    flags.push({
      code: 'code-hash',
      message: 'the code does not match its SHA-256: it was changed after the run',
    });
  }
  if (!needsTestData(bundle)) {
    if (!gradeCode) throw new Error(`re-grading ${bundle.exercise.id} needs a sandbox to run its code in`);
    return regradeByCases(submission, gradeCode, flags);
  }
  if (!testDataset) throw new Error(`re-grading ${bundle.exercise.id} needs its test data`);
  if (!submission.model) {
    flags.push({ code: 'model-unloadable', message: 'the submission carries no trained model' });
    return { report: null, stored, flags };
  }
  const shipped = submission.model;

  let weightsOk = false;
  try {
    const weights = await decodeWeights(shipped);
    weightsOk = true;
    if (!weights.hashMatches) {
      flags.push({
        code: 'model-hash',
        message: `the model's weights do not match their SHA-256 (${short(weights.sha256)}, the file says ${short(shipped.weightsSha256)}): the weights were changed`,
      });
    } else if (weights.sha256 !== stored.modelHash) {
      flags.push({
        code: 'model-hash',
        message: `the model shipped (${short(weights.sha256)}) is not the model the stored report graded (${short(stored.modelHash)})`,
      });
    }
  } catch (error) {
    flags.push({
      code: 'model-unloadable',
      message: `the model's weights cannot be read: ${errorMessage(error)}`,
    });
  }
  if (!weightsOk) return { report: null, stored, flags };

  let model: tfType.LayersModel;
  try {
    await loadPretrainedBases(tf, shipped.modelTopology, modelReader);
    model = await deserializeModel(tf, shipped, { verifyHash: false });
  } catch (error) {
    flags.push({
      code: 'model-unloadable',
      message: `tfjs cannot rebuild the model: ${errorMessage(error)}`,
    });
    return { report: null, stored, flags };
  }

  let report: Report;
  try {
    const test = toTestTensors(tf, testDataset);
    const last = submission.history.at(-1)?.logs ?? {};
    try {
      report = await gradeModel(tf, model, {
        exercise: bundle.exercise,
        test,
        classNames: testDataset.manifest.classNames,
        epochs: stored.epochs,
        validationMetrics: pick(
          last,
          (k) => k.startsWith('val_'),
          (k) => k.slice(4),
        ),
        trainMetrics: pick(
          last,
          (k) => !k.startsWith('val_'),
          (k) => k,
        ),
        trainSeconds: stored.timings.trainSeconds,
        backend: submission.environment.backend,
        datasetHash: testDataset.hash,
        ...declaredThreshold(submission.report),
      });
    } finally {
      tf.dispose(test.xs);
    }
  } catch (error) {
    flags.push({ code: 'model-unloadable', message: `the model cannot be graded: ${errorMessage(error)}` });
    return { report: null, stored, flags };
  } finally {
    model.dispose();
  }

  flags.push(...compareReports(report, stored, submission.exerciseId));
  return { report: withDeclaredHints(report, stored), stored, flags };
}

/** Function exercises and quizzes: the code, run again on the hidden cases, is what is graded. */
async function regradeByCases(
  submission: Submission,
  gradeCode: (code: string) => Promise<Report>,
  flags: RegradeFlag[],
): Promise<RegradeResult> {
  const stored = submission.report;
  let report: Report;
  try {
    report = await gradeCode(submission.code);
  } catch (error) {
    // A LearnerError's message already ends with "(line N)" when the error points into the code.
    flags.push({ code: 'code-failed', message: `the code cannot be run: ${errorMessage(error)}` });
    return { report: null, stored, flags };
  }
  flags.push(...compareReports(report, stored, submission.exerciseId));
  return { report: withDeclaredHints(report, stored), stored, flags };
}

/**
 * The hints a learner revealed are known only to their page: the re-graded report keeps the count
 * the submission declares, so a band score and its hints stay side by side in the lead's reports.
 */
function withDeclaredHints(report: Report, stored: Report): Report {
  return stored.hintsUsed === undefined ? report : { ...report, hintsUsed: stored.hintsUsed };
}

/** The `report-mismatch` flags: what the stored report claims that the re-grade does not show. */
export function compareReports(regraded: Report, stored: Report, exerciseId: string): RegradeFlag[] {
  const differences: string[] = [];
  if (stored.exerciseId !== exerciseId) {
    differences.push(
      `the stored report is for exercise '${stored.exerciseId}', the submission for '${exerciseId}'`,
    );
  }
  if (regraded.modelHash !== stored.modelHash) {
    differences.push(`model hash ${short(regraded.modelHash)}, stored ${short(stored.modelHash)}`);
  }
  if (regraded.datasetHash === stored.datasetHash) {
    if (regraded.passed !== stored.passed) {
      differences.push(
        `${regraded.passed ? 'passes' : 'fails'} on re-grade, stored report says ${stored.passed ? 'passed' : 'failed'}`,
      );
    }
    const gap = Math.abs(regraded.metrics.accuracy - stored.metrics.accuracy);
    if (!(gap <= ACCURACY_TOLERANCE)) {
      differences.push(
        `accuracy ${regraded.metrics.accuracy.toFixed(4)} on re-grade, stored report says ${stored.metrics.accuracy.toFixed(4)}`,
      );
    }
  }
  return differences.length
    ? [
        {
          code: 'report-mismatch',
          message: `the stored report differs from the re-grade: ${differences.join('; ')}`,
        },
      ]
    : [];
}

/** A recorded time may trail the exam's end by this much (the run's last write, clock skew). */
export const EXAM_GRACE_SECONDS = 60;

/**
 * The flags that need the lead's set: `wrong-set` (made for another set, for none, or from another
 * copy of this one: its set hash differs), `late` (after the set's due date) and `out-of-exam`
 * (an exam set's submission made outside its recorded exam, or with no exam recorded).
 *
 * Every time a submission holds (`createdAt`, `exam`) is written by the learner's machine: a late or
 * out-of-window time is the learner's own record, an on-time one proves nothing. The messages say so.
 */
export async function setFlags(submission: Submission, set: CvSet): Promise<RegradeFlag[]> {
  const flags: RegradeFlag[] = [];
  const yours = `your set '${set.title}' (${set.id})`;
  if (!submission.setId) {
    flags.push({ code: 'wrong-set', message: `the submission names no set: it was not made from ${yours}` });
  } else if (submission.setId !== set.id) {
    flags.push({
      code: 'wrong-set',
      message: `made for the set '${submission.setTitle ?? submission.setId}' (${submission.setId}), not ${yours}`,
    });
  } else if (submission.setHash) {
    const hash = await setHash(set);
    if (submission.setHash !== hash) {
      flags.push({
        code: 'wrong-set',
        message: `made from another copy of the set ${set.id} (set hash ${short(submission.setHash)}, yours ${short(hash)}): the learner's copy was edited or is another version`,
      });
    }
  }

  const created = Date.parse(submission.createdAt);
  const exam = submission.exam;
  const learnerTimes = "(times written by the learner's machine)";
  if (set.dueDate) {
    const due = Date.parse(set.dueDate);
    const late: string[] = [];
    if (created > due) late.push(`made ${submission.createdAt}`);
    if (exam?.endedAt && Date.parse(exam.endedAt) > due) late.push(`its exam ended ${exam.endedAt}`);
    else if (exam && Date.parse(exam.startedAt) > due) late.push(`its exam started ${exam.startedAt}`);
    if (late.length) {
      flags.push({
        code: 'late',
        message: `${late.join(', ')}: after the due date ${set.dueDate} ${learnerTimes}`,
      });
    }
  }

  if (set.exam?.enabled) {
    const minutes = set.exam.minutes;
    if (!exam) {
      flags.push({
        code: 'out-of-exam',
        message: `the set is an exam of ${minutes} min, but the submission records no exam: it was made outside the exam (from an exercise page, the command line, or an older CV Lab)`,
      });
    } else {
      const start = Date.parse(exam.startedAt);
      const deadline = start + minutes * 60_000;
      const end = exam.endedAt ? Math.min(Date.parse(exam.endedAt), deadline) : deadline;
      const grace = EXAM_GRACE_SECONDS * 1000;
      const problems: string[] = [];
      const runSeconds = submission.report.timings.trainSeconds + submission.report.timings.gradeSeconds;
      if (created < start)
        problems.push(`made ${submission.createdAt}, before the exam started ${exam.startedAt}`);
      else if (created - runSeconds * 1000 < start - grace) {
        problems.push(
          `made ${submission.createdAt} after a run of ${runSeconds.toFixed(0)} s, so it started before the exam (${exam.startedAt})`,
        );
      }
      if (created > end + grace) {
        problems.push(`made ${submission.createdAt}, after the exam's end ${new Date(end).toISOString()}`);
      }
      if (exam.endedAt && Date.parse(exam.endedAt) > deadline + grace) {
        const lasted = (Date.parse(exam.endedAt) - start) / 60_000;
        problems.push(`the recorded exam lasted ${lasted.toFixed(1)} min, your set allows ${minutes}`);
      }
      if (exam.minutes !== undefined && exam.minutes > minutes) {
        problems.push(`the learner's copy gave ${exam.minutes} min, your set ${minutes}`);
      }
      if (problems.length) {
        flags.push({
          code: 'out-of-exam',
          message: `${problems.join('; ')} ${learnerTimes}`,
        });
      }
    }
  }
  return flags;
}

function pick(
  logs: Record<string, number>,
  keep: (key: string) => boolean,
  rename: (key: string) => string,
): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(logs)) if (keep(key)) out[rename(key)] = value;
  return Object.keys(out).length ? out : undefined;
}

function short(hash: string): string {
  return hash.slice(0, 12);
}
