/**
 * Trained models kept in the browser: after a graded training run the worker saves the model with
 * tfjs's IndexedDB handler under the exercise's key (`keptModelUrl`, the latest graded model per
 * exercise), and reads it back as `ModelArtifactsJson` when the page asks (export a submission,
 * download the model after a reload). Nothing here creates tensors: save and load move bytes only.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../core/shared/tf';
import { sha256Hex } from '../core/shared/bytes';
import { bytesToBase64 } from '../core/shared/base64';
import { formatSize } from '../core/shared/format-error';
import {
  MAX_WEIGHT_BYTES,
  ModelArtifactsJsonSchema,
  type ModelArtifactsJson,
} from '../core/models/artifacts';
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

/**
 * tfjs's saved artifacts (from any handler) as the JSON form a submission carries, with the
 * SHA-256 of the weight bytes (which is the report's `modelHash` for the model that was graded).
 * Throws for what a submission cannot carry (other dtypes, quantized or oversized weights).
 */
export async function keptArtifactsJson(
  tf: TF,
  artifacts: tfType.io.ModelArtifacts,
): Promise<ModelArtifactsJson> {
  if (!artifacts.modelTopology || artifacts.modelTopology instanceof ArrayBuffer || !artifacts.weightSpecs) {
    throw new Error('the kept model has no Keras topology or weight specs');
  }
  const weightSpecs = artifacts.weightSpecs.map((spec) => {
    if (spec.quantization) throw new Error(`weight ${spec.name} of the kept model is quantized`);
    if (spec.dtype !== 'float32' && spec.dtype !== 'int32') {
      throw new Error(
        `weight ${spec.name} of the kept model is ${spec.dtype}; only float32 and int32 travel`,
      );
    }
    return { name: spec.name, shape: [...spec.shape], dtype: spec.dtype };
  });
  const weightData = artifacts.weightData
    ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
    : new Uint8Array(0);
  if (weightData.byteLength > MAX_WEIGHT_BYTES) {
    throw new Error(
      `the kept model's weights take ${formatSize(weightData.byteLength)}, more than the ${formatSize(MAX_WEIGHT_BYTES)} a submission may carry`,
    );
  }
  // Validated like a file read back: the record may have come from an imported backup.
  const parsed = ModelArtifactsJsonSchema.safeParse({
    modelTopology: artifacts.modelTopology,
    weightSpecs,
    weightDataBase64: bytesToBase64(weightData),
    weightsSha256: await sha256Hex(weightData),
    byteLength: weightData.byteLength,
    ...(artifacts.generatedBy ? { generatedBy: artifacts.generatedBy } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`the kept model is damaged: ${issue?.path.join('.') || 'model'}: ${issue?.message}`);
  }
  return parsed.data;
}

/** The exercise's kept model, or null when this browser keeps none for it. */
export async function readKeptModel(tf: TF, exerciseId: string): Promise<ModelArtifactsJson | null> {
  const url = keptModelUrl(exerciseId);
  const kept = await tf.io.listModels();
  if (!(url in kept)) return null;
  const [handler] = tf.io.getLoadHandlers(url);
  if (!handler?.load) throw new Error(`no tfjs handler reads ${url}`);
  return keptArtifactsJson(tf, await handler.load());
}
