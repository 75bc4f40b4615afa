/**
 * "Export submission": packs a graded run (or a set attempt) into a `*.cvsub.json` with the core's
 * `buildSubmission` and downloads it.
 */
import type { Exercise } from '../../core/exercises/schema';
import type { CvSet } from '../../core/exercises/set';
import { buildSubmission, serializeSubmission, submissionFileName } from '../../core/exercises/submission';
import { downloadText } from '../download';
import type { SubmissionSource } from '../storage/teams-db';

type ExerciseKind = Exercise['kind'];

/**
 * Builds and downloads the submission; returns the file name. Throws a FormatError (e.g. a bad name).
 * A training exercise is graded on its model, so a run that kept none cannot be exported; function
 * exercises and quizzes are graded on their code and carry no model.
 */
export async function exportSubmission(
  learnerName: string,
  source: SubmissionSource,
  exerciseKind: ExerciseKind,
  set?: Pick<CvSet, 'id' | 'title'>,
): Promise<string> {
  if (exerciseKind === 'train' && !source.model) {
    throw new Error(
      'This run kept no trained model (it could not be saved), so there is nothing for a lead to re-grade: run it again.',
    );
  }
  const submission = await buildSubmission({
    learnerName,
    ...(set ? { set: { id: set.id, title: set.title } } : {}),
    code: source.code,
    report: source.report,
    history: source.history,
    environment: source.environment,
    ...(exerciseKind === 'train' ? { model: source.model } : {}),
  });
  const fileName = submissionFileName(submission);
  downloadText(fileName, serializeSubmission(submission));
  return fileName;
}
