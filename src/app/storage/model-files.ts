/**
 * "Download model": a trained model's artifacts as the two files tfjs reads back with
 * `tf.loadLayersModel` (a `model.json` naming its weights file, and the weights' raw bytes), built
 * in the page from the JSON artifacts the worker hands over. Named after the exercise
 * (`fashion-mnist-cnn.model.json` naming `fashion-mnist-cnn.weights.bin`), so models of several
 * exercises can sit in one folder.
 */
import { decodeWeights, type ModelArtifactsJson } from '../../core/models/artifacts';
import { downloadBlob } from '../download';

export const modelJsonFileName = 'model.json';
export const weightsFileName = 'weights.bin';

export interface ModelFileNames {
  modelJson: string;
  weights: string;
}

/**
 * `<exercise>.model.json` and `<exercise>.weights.bin`; a name with anything but letters, digits,
 * `-` and `_` is tidied, and none (or nothing left) gives plain `model.json` and `weights.bin`.
 */
export function modelFileNames(exerciseId?: string): ModelFileNames {
  const stem = (exerciseId ?? '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  if (!stem) return { modelJson: modelJsonFileName, weights: weightsFileName };
  return { modelJson: `${stem}.${modelJsonFileName}`, weights: `${stem}.${weightsFileName}` };
}

/** The `model.json` text (tfjs's `ModelJSON`: topology plus one weights group in `weightsName`). */
export function tfjsModelJson(artifacts: ModelArtifactsJson, weightsName = weightsFileName): string {
  const modelJson = {
    format: 'layers-model',
    generatedBy: artifacts.generatedBy ?? 'CV Lab',
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs }],
  };
  return JSON.stringify(modelJson);
}

/** Both files; throws when the weights do not match their own hash (a damaged record). */
export async function tfjsModelFiles(
  artifacts: ModelArtifactsJson,
  weightsName = weightsFileName,
): Promise<{ modelJson: string; weights: Uint8Array }> {
  const { bytes, sha256, hashMatches } = await decodeWeights(artifacts);
  if (!hashMatches) {
    throw new Error(
      `the model's weights are damaged (SHA-256 ${sha256}, expected ${artifacts.weightsSha256})`,
    );
  }
  return { modelJson: tfjsModelJson(artifacts, weightsName), weights: bytes };
}

/** The files "Download model" saves, by name: the `model.json` names the weights file beside it. */
export async function modelDownloads(
  artifacts: ModelArtifactsJson,
  exerciseId?: string,
): Promise<{ name: string; blob: Blob }[]> {
  const names = modelFileNames(exerciseId);
  const { modelJson, weights } = await tfjsModelFiles(artifacts, names.weights);
  return [
    { name: names.modelJson, blob: new Blob([modelJson], { type: 'application/json' }) },
    {
      name: names.weights,
      blob: new Blob([weights as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
    },
  ];
}

/** Downloads the two files (keep them in one folder: the first names the second). */
export async function downloadModelFiles(artifacts: ModelArtifactsJson, exerciseId?: string): Promise<void> {
  for (const file of await modelDownloads(artifacts, exerciseId)) downloadBlob(file.name, file.blob);
}
