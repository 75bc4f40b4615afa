/**
 * "Download model": a trained model's artifacts as the two files tfjs reads back with
 * `tf.loadLayersModel` (a `model.json` naming its weights file, and the weights' raw bytes), built
 * in the page from the JSON artifacts the worker hands over.
 */
import { decodeWeights, type ModelArtifactsJson } from '../../core/models/artifacts';

export const modelJsonFileName = 'model.json';
export const weightsFileName = 'weights.bin';

/** The `model.json` text (tfjs's `ModelJSON`: topology plus one weights group in `weightsFileName`). */
export function tfjsModelJson(artifacts: ModelArtifactsJson): string {
  const modelJson = {
    format: 'layers-model',
    generatedBy: artifacts.generatedBy ?? 'CV Lab',
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsFileName], weights: artifacts.weightSpecs }],
  };
  return JSON.stringify(modelJson);
}

/** Both files; throws when the weights do not match their own hash (a damaged record). */
export async function tfjsModelFiles(
  artifacts: ModelArtifactsJson,
): Promise<{ modelJson: string; weights: Uint8Array }> {
  const { bytes, sha256, hashMatches } = await decodeWeights(artifacts);
  if (!hashMatches) {
    throw new Error(
      `the model's weights are damaged (SHA-256 ${sha256}, expected ${artifacts.weightsSha256})`,
    );
  }
  return { modelJson: tfjsModelJson(artifacts), weights: bytes };
}

function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // Chromium reads the Blob after the click returns: revoke later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Downloads `model.json` and `weights.bin` (keep them in one folder: the first names the second). */
export async function downloadModelFiles(artifacts: ModelArtifactsJson): Promise<void> {
  const { modelJson, weights } = await tfjsModelFiles(artifacts);
  downloadBlob(modelJsonFileName, new Blob([modelJson], { type: 'application/json' }));
  downloadBlob(
    weightsFileName,
    new Blob([weights as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
  );
}
