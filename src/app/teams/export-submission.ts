/**
 * "Export submission": packs a graded run (or a set attempt) into a `*.cvsub.json` with the core's
 * `buildSubmission` and downloads it.
 */
import type { Exercise } from '../../core/exercises/schema';
import type { CvSet } from '../../core/exercises/set';
import {
  buildSubmission,
  serializeSubmission,
  submissionFileName,
  type ExamWindow,
  type Submission,
} from '../../core/exercises/submission';
import { downloadText } from '../download';
import type { SubmissionSource } from '../storage/teams-db';

type ExerciseKind = Exercise['kind'];

/** What a submission records of its set: id and title, and the copy's hash and exam window. */
export type SubmissionSet = Pick<CvSet, 'id' | 'title'> & { hash?: string; exam?: ExamWindow };

/** A set held in this browser as its submissions record it, with its exam clock when one is on record. */
export function submissionSetOf(
  set: Pick<CvSet, 'id' | 'title'>,
  hash: string,
  clock: { startedAt: string; endedAt?: string; minutes?: number } | undefined,
): SubmissionSet {
  return {
    id: set.id,
    title: set.title,
    hash,
    ...(clock
      ? {
          exam: {
            startedAt: clock.startedAt,
            ...(clock.endedAt ? { endedAt: clock.endedAt } : {}),
            ...(clock.minutes ? { minutes: clock.minutes } : {}),
          },
        }
      : {}),
  };
}

/**
 * Builds the submission of a run or a set attempt, with what it records of its set (hash, exam
 * window): the one way both "Export submission" and "Export all submissions" pack an attempt.
 * Throws a FormatError (e.g. a bad name). A training exercise is graded on its model, so a run that
 * kept none cannot be packed; function exercises and quizzes are graded on their code and carry no
 * model.
 */
export async function submissionOf(
  learnerName: string,
  source: SubmissionSource,
  exerciseKind: ExerciseKind,
  set?: SubmissionSet,
  createdAt?: string,
): Promise<Submission> {
  if (exerciseKind === 'train' && !source.model) {
    throw new Error(
      'This run kept no trained model (it could not be saved), so there is nothing for a lead to re-grade: run it again.',
    );
  }
  return buildSubmission({
    learnerName,
    ...(set
      ? {
          set: {
            id: set.id,
            title: set.title,
            ...(set.hash ? { hash: set.hash } : {}),
            ...(set.exam ? { exam: set.exam } : {}),
          },
        }
      : {}),
    code: source.code,
    report: source.report,
    history: source.history,
    environment: source.environment,
    ...(exerciseKind === 'train' ? { model: source.model } : {}),
    // A set attempt's time is when it was run and recorded (inside the exam), not the export's.
    ...(createdAt ? { createdAt } : {}),
  });
}

/** Builds (`submissionOf`) and downloads the submission; returns the file name. */
export async function exportSubmission(
  learnerName: string,
  source: SubmissionSource,
  exerciseKind: ExerciseKind,
  set?: SubmissionSet,
  createdAt?: string,
): Promise<string> {
  const submission = await submissionOf(learnerName, source, exerciseKind, set, createdAt);
  const fileName = submissionFileName(submission);
  downloadText(fileName, serializeSubmission(submission));
  return fileName;
}
