/**
 * For a result read back from storage (after a reload, or from an imported backup): export the
 * submission with the model this browser kept for it, and download that model.
 */
import { useEffect, useMemo, useState } from 'react';
import type { Exercise } from '../../core/exercises/schema';
import type { ModelArtifactsJson } from '../../core/models/artifacts';
import { errorMessage } from '../../core/shared/errors';
import type { StoredResult } from '../../storage/lab-db';
import { DownloadModelButton } from '../components/ModelActions';
import { loadKeptModel } from '../storage/kept-model-client';
import { submissionSourceOf } from '../storage/results';
import { ExportSubmissionButton } from './ExportSubmissionButton';

type KeptModelState =
  | { status: 'loading' }
  | { status: 'ready'; model: ModelArtifactsJson }
  | { status: 'unavailable'; message: string };

/**
 * Export submission and Download model for a stored result. A training exercise's model is read
 * from this browser (a worker of its own) when the result is shown, and offered only when its hash
 * is the report's `modelHash`: a model from another run must never travel with this report.
 */
export function StoredResultActions({
  result,
  exerciseKind,
  allowExport,
}: {
  result: StoredResult;
  exerciseKind: Exercise['kind'];
  /** False in a set: the set page exports its own recorded attempts. */
  allowExport: boolean;
}) {
  const source = useMemo(() => submissionSourceOf(result), [result]);
  const needsModel = exerciseKind === 'train';
  const modelKept = needsModel && result.modelKept === true;
  const [kept, setKept] = useState<KeptModelState>({ status: 'loading' });

  useEffect(() => {
    if (!modelKept) return;
    let current = true;
    setKept({ status: 'loading' });
    loadKeptModel(result.exerciseId).then(
      (model) => {
        if (!current) return;
        if (!model) {
          setKept({
            status: 'unavailable',
            message:
              'The trained model of this result is no longer kept in this browser: run again to export it.',
          });
        } else if (model.weightsSha256 !== result.report.modelHash) {
          setKept({
            status: 'unavailable',
            message:
              'The model kept in this browser is not the one this result graded (it is from another run): run again to export it.',
          });
        } else {
          setKept({ status: 'ready', model });
        }
      },
      (error: unknown) => {
        if (current) {
          setKept({
            status: 'unavailable',
            message: `The trained model kept in this browser could not be read: ${errorMessage(error)}`,
          });
        }
      },
    );
    return () => {
      current = false;
    };
  }, [modelKept, result.exerciseId, result.report.modelHash]);

  if (!needsModel) {
    return allowExport && source ? (
      <ExportSubmissionButton source={source} exerciseKind={exerciseKind} />
    ) : null;
  }
  if (!modelKept) {
    // A result from before models were kept says nothing; a run whose model could not be kept says so.
    return result.modelKept === false ? (
      <span className="export-message" data-testid="stored-model-missing">
        This result's trained model was not kept in this browser.
      </span>
    ) : null;
  }
  switch (kept.status) {
    case 'loading':
      return (
        <span className="export-message" role="status" data-testid="stored-model-loading">
          Reading the trained model kept in this browser…
        </span>
      );
    case 'unavailable':
      return (
        <span className="export-message notice-error" role="alert" data-testid="stored-model-missing">
          {kept.message}
        </span>
      );
    case 'ready':
      return (
        <>
          {allowExport && source && (
            <ExportSubmissionButton source={{ ...source, model: kept.model }} exerciseKind={exerciseKind} />
          )}
          <DownloadModelButton artifacts={kept.model} exerciseId={result.exerciseId} />
        </>
      );
  }
}
