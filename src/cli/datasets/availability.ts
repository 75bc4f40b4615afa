/**
 * What an exercise on the course's downloaded data needs that is not on this machine: its dataset
 * (when it is one that must be downloaded) and the published models its reference solution loads.
 * `cv-lab verify` skips such an exercise with these lines, and measures it once they are there.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findDownloadable, prepareInstruction } from '../../core/datasets/downloads';
import type { Exercise } from '../../core/exercises/schema';
import { findPretrained } from '../../core/models/registry';
import { bundledModelsRoot, modelCacheRoot } from '../models/model-files';
import { datasetFolder } from './fs-reader';

export function missingDownloads(exercise: Exercise): string[] {
  const missing: string[] = [];
  const dataset = exercise.dataset;
  if (
    dataset &&
    findDownloadable(dataset) &&
    !existsSync(path.join(datasetFolder(dataset), 'manifest.json'))
  ) {
    missing.push(`dataset ${dataset} is not prepared: ${prepareInstruction(dataset)}`);
  }
  for (const id of exercise.pretrained ?? []) {
    const entry = findPretrained(id);
    if (!entry) {
      missing.push(`pretrained model ${id} is not in the registry`);
      continue;
    }
    const folder =
      entry.source.kind === 'bundled'
        ? path.join(bundledModelsRoot(), entry.id)
        : path.join(modelCacheRoot(), entry.id, 'files');
    if (!existsSync(path.join(folder, 'model.json'))) {
      missing.push(`pretrained model ${id} is not downloaded: run \`npx cv-lab models fetch ${id}\``);
    }
  }
  return missing;
}
