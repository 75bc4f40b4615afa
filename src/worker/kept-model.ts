/**
 * Trained models kept in the browser: after a graded training run the worker saves the model with
 * tfjs's IndexedDB handler under the exercise's key (`keptModelUrl`, the latest graded model per
 * exercise), and reads it back as `ModelArtifactsJson` when the page asks (export a submission,
 * download the model after a reload). Nothing here creates tensors: save and load move bytes only.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../core/shared/tf';
import { artifactsToJson, type ModelArtifactsJson } from '../core/models/artifacts';
import { keptModelUrl } from '../storage/kept-models';

export type KeepResult = { kept: true } | { kept: false; reason: string };

/** Why a save failed, in the learner's terms where the browser's error has a known name. */
export function describeKeepError(error: unknown): string {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  // Without a final full stop: the reason is set inside a sentence.
  const message = (
    error instanceof Error || error instanceof DOMException ? error.message : String(error)
  ).replace(/[.\s]+$/, '');
  if (name === 'QuotaExceededError') return `this site's browser storage is full (${message})`;
  if (name === 'InvalidStateError' || name === 'SecurityError') {
    return `this browser does not let the site store data (private browsing?) (${message})`;
  }
  return message || name || 'unknown error';
}

/**
 * Saves the model under the exercise's key, replacing the one kept before. Never throws: a full
 * quota or a browser without storage must not fail the run, so the reason comes back instead. When
 * the save fails the older model is removed (best effort): it belongs to an older result.
 */
export async function keepTrainedModel(
  tf: TF,
  model: tfType.LayersModel,
  exerciseId: string,
): Promise<KeepResult> {
  const url = keptModelUrl(exerciseId);
  try {
    await model.save(url);
    return { kept: true };
  } catch (error) {
    try {
      await tf.io.removeModel(url);
    } catch {
      // nothing kept before, or no storage at all
    }
    return { kept: false, reason: describeKeepError(error) };
  }
}

/** The exercise's kept model, or null when this browser keeps none for it. */
export async function readKeptModel(tf: TF, exerciseId: string): Promise<ModelArtifactsJson | null> {
  const url = keptModelUrl(exerciseId);
  const kept = await tf.io.listModels();
  if (!(url in kept)) return null;
  const [handler] = tf.io.getLoadHandlers(url);
  if (!handler?.load) throw new Error(`no tfjs handler reads ${url}`);
  return artifactsToJson(tf, await handler.load(), 'the kept model');
}
