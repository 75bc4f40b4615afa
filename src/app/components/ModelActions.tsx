/**
 * What the learner can do with a trained model: download it as tfjs files. (A result read back from
 * storage offers it next to Export submission: src/app/teams/StoredResultActions.tsx.)
 */
import { useState } from 'react';
import { errorMessage } from '../../core/shared/errors';
import type { ModelArtifactsJson } from '../../core/models/artifacts';
import { downloadModelFiles, modelFileNames } from '../storage/model-files';

/**
 * "Download model": `<exercise>.model.json` and `<exercise>.weights.bin`, the files
 * `tf.loadLayersModel` reads (the first names the second).
 */
export function DownloadModelButton({
  artifacts,
  exerciseId,
}: {
  artifacts: ModelArtifactsJson;
  exerciseId: string;
}) {
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const download = async () => {
    try {
      await downloadModelFiles(artifacts, exerciseId);
      const names = modelFileNames(exerciseId);
      setMessage({
        error: false,
        text: `Saved ${names.modelJson} and ${names.weights} (keep them in one folder)`,
      });
    } catch (error) {
      setMessage({ error: true, text: `The model could not be saved: ${errorMessage(error)}` });
    }
  };
  return (
    <span className="download-model">
      <button type="button" className="button" data-testid="download-model" onClick={() => void download()}>
        Download model
      </button>
      {message && (
        <span
          className={message.error ? 'export-message notice-error' : 'export-message'}
          role={message.error ? 'alert' : 'status'}
          data-testid="download-model-message"
        >
          {message.text}
        </span>
      )}
    </span>
  );
}
