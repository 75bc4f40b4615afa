import { useState } from 'react';
import {
  buildSubmissionBundle,
  serializeSubmissionBundle,
  submissionBundleFileName,
} from '../../core/exercises/submission-bundle';
import { findExercise } from '../catalog';
import type { SetAttempt } from '../storage/teams-db';
import { downloadText } from '../download';
import { rememberedLearnerName, rememberLearnerName } from './learner-name';
import { submissionOf, type SubmissionSet } from './export-submission';

/**
 * "Export all submissions": every recorded attempt of the set in one `*.cvsubs.json` bundle
 * (`cv-lab-submissions`), which the lead's roster and `cv-lab grade` read like single files. A
 * training exercise whose attempt kept no model is left out (nothing to re-grade), and said so.
 */
export function ExportAllSubmissionsButton({
  set,
  attempts,
}: {
  /** The set as its submissions record it (`submissionSetOf`). */
  set: SubmissionSet;
  attempts: SetAttempt[];
}) {
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const exportAll = async () => {
    const name = rememberedLearnerName() || window.prompt('Your name, as your team lead knows you:')?.trim();
    if (!name) return;
    rememberLearnerName(name);
    try {
      const left: string[] = [];
      const submissions = [];
      for (const attempt of attempts) {
        const kind = findExercise(attempt.exerciseId)?.exercise.kind ?? 'train';
        if (kind === 'train' && !attempt.model) {
          left.push(attempt.exerciseId);
          continue;
        }
        // Each records the set as a single export does: its copy's hash and the exam window.
        submissions.push(await submissionOf(name, attempt, kind, set, attempt.submittedAt));
      }
      const bundle = buildSubmissionBundle(submissions, { set });
      const fileName = submissionBundleFileName(bundle);
      downloadText(fileName, serializeSubmissionBundle(bundle));
      setMessage({
        text:
          `Saved ${fileName} (${submissions.length} submission${submissions.length === 1 ? '' : 's'}).` +
          (left.length ? ` Left out (no trained model kept): ${left.join(', ')}.` : ''),
      });
    } catch (error) {
      setMessage({ text: error instanceof Error ? error.message : String(error), error: true });
    }
  };
  return (
    <div className="export-all">
      <button
        type="button"
        className="button"
        data-testid="export-all-submissions"
        disabled={attempts.length === 0}
        onClick={() => void exportAll()}
      >
        Export all submissions
      </button>
      {message && (
        <span className={message.error ? 'notice-error' : 'muted'} role="status">
          {' '}
          {message.text}
        </span>
      )}
    </div>
  );
}
