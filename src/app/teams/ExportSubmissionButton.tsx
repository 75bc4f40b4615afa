import { useState } from 'react';
import './teams.css';
import type { Exercise } from '../../core/exercises/schema';
import { exportSubmission, type SubmissionSet } from './export-submission';
import type { SubmissionSource } from '../storage/teams-db';
import { rememberedLearnerName, rememberLearnerName } from './learner-name';
import { errorMessage } from '../../core/shared/errors';

/**
 * "Export submission": asks the learner's name the first time (then remembers it in this browser)
 * and downloads the `*.cvsub.json`.
 */
export function ExportSubmissionButton({
  source,
  exerciseKind,
  set,
  createdAt,
  label = 'Export submission',
}: {
  source: SubmissionSource;
  exerciseKind: Exercise['kind'];
  set?: SubmissionSet;
  /** When the run was made (a set attempt's `submittedAt`); else now. */
  createdAt?: string;
  label?: string;
}) {
  const [name, setName] = useState(rememberedLearnerName);
  const [asking, setAsking] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const doExport = async (learnerName: string) => {
    try {
      const fileName = await exportSubmission(learnerName, source, exerciseKind, set, createdAt);
      setMessage({ error: false, text: `Saved ${fileName}` });
      setAsking(false);
    } catch (error) {
      setMessage({ error: true, text: errorMessage(error) });
    }
  };

  return (
    <span className="export-submission">
      {!asking && (
        <button
          type="button"
          className="button"
          data-testid="export-submission"
          onClick={() => (name.trim() ? void doExport(name) : setAsking(true))}
          title={name.trim() ? `Export as ${name}` : undefined}
        >
          {label}
        </button>
      )}
      {asking && (
        <form
          className="learner-name-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (!name.trim()) return;
            rememberLearnerName(name);
            void doExport(name);
          }}
        >
          <label>
            Your name{' '}
            <input
              data-testid="learner-name"
              value={name}
              maxLength={100}
              autoFocus
              onChange={(event) => setName(event.target.value)}
            />
          </label>
          <button type="submit" className="button button-primary" disabled={!name.trim()}>
            Export
          </button>
          <button type="button" className="button" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </form>
      )}
      {name.trim() && !asking && (
        <button type="button" className="link-button" onClick={() => setAsking(true)}>
          as {name}
        </button>
      )}
      {message && (
        <span
          className={message.error ? 'export-message notice-error' : 'export-message'}
          role={message.error ? 'alert' : 'status'}
          data-testid="export-message"
        >
          {message.text}
        </span>
      )}
    </span>
  );
}
