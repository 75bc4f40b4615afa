/**
 * "Export submission": packs a graded run (or a set attempt) into a `*.cvsub.json` with the core's
 * `buildSubmission` and downloads it.
 */
import type { CvSet } from '../../core/exercises/set';
import { buildSubmission, serializeSubmission, submissionFileName } from '../../core/exercises/submission';
import { downloadText } from './download';
import type { SetAttempt } from './teams-db';

/** What a submission is made of, whether from the last run or a recorded attempt. */
export type SubmissionSource = Omit<SetAttempt, 'setId' | 'exerciseId' | 'submittedAt'>;

/** Builds and downloads the submission; returns the file name. Throws a FormatError (e.g. a bad name). */
export async function exportSubmission(
  learnerName: string,
  source: SubmissionSource,
  set?: Pick<CvSet, 'id' | 'title'>,
): Promise<string> {
  if (!source.model) {
    throw new Error(
      'This run kept no trained model (only training exercises have one), so it cannot be exported.',
    );
  }
  const submission = await buildSubmission({
    learnerName,
    ...(set ? { set: { id: set.id, title: set.title } } : {}),
    code: source.code,
    report: source.report,
    history: source.history,
    environment: source.environment,
    model: source.model,
  });
  const fileName = submissionFileName(submission);
  downloadText(fileName, serializeSubmission(submission));
  return fileName;
}
