/**
 * What every `cv-lab datasets prepare <id>` preparer takes and returns, and the steps they share:
 * the `--if-missing` check and the atomic write.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildDatasetFiles } from '../../core/datasets/build';
import type { DatasetMeta } from '../../core/datasets/build';
import type { DatasetManifest } from '../../core/datasets/manifest';
import type { RawSplit, SplitName } from '../../core/datasets/types';
import type { PrepareResult } from './fashion-mnist';
import { datasetsRoot } from './fs-reader';
import { quickCheckDataset, writeDatasetAtomically } from './prepared';

export type { PrepareResult };

export interface PrepareOptions {
  /** Datasets root to write into (default: public/datasets, or $CV_LAB_DATASETS). */
  out?: string;
  /** Do nothing when a valid dataset is already there (and, for generated sets, made the same way). */
  ifMissing?: boolean;
  /** A folder holding the original files, downloaded by hand. */
  from?: string;
  /** Base URL to download the originals from instead of the canonical location. */
  url?: string;
  /** Image size [height, width]. */
  size?: [number, number];
  /** At most this many images per class (image archives). */
  limit?: number;
  /** Seed of generated sets and of splits. */
  seed?: number;
  /** Download cache folder. */
  cacheDir?: string;
  /** Progress lines (the CLI sends them to stderr). */
  log?: (line: string) => void;
}

export interface DatasetPreparer {
  id: string;
  /** One line for `--help`. */
  description: string;
  prepare(options: PrepareOptions): Promise<PrepareResult>;
}

export interface Target {
  root: string;
  folder: string;
  /** The valid dataset already there, if any. */
  existing?: DatasetManifest;
}

/** Where a dataset goes, and what is there now. */
export async function resolveTarget(id: string, options: PrepareOptions): Promise<Target> {
  const root = path.resolve(options.out ?? datasetsRoot());
  const folder = path.join(root, id);
  const check = await quickCheckDataset(folder);
  if (!check.ok && existsSync(folder) && options.ifMissing) {
    options.log?.(`${folder} is not a valid dataset (${check.reason}); preparing it again`);
  }
  return { root, folder, existing: check.ok ? check.manifest : undefined };
}

export async function writePrepared(
  target: Target,
  meta: DatasetMeta,
  splits: Record<SplitName, RawSplit>,
  source?: string,
): Promise<PrepareResult> {
  const perImage = meta.imageShape[0] * meta.imageShape[1] * meta.imageShape[2];
  // About 8 MB of pixels per shard before gzip: a few MB stored.
  const imagesPerShard = Math.max(1, Math.floor((8 * 1024 * 1024) / perImage));
  const { manifest, files } = await buildDatasetFiles(meta, splits, { imagesPerShard });
  await writeDatasetAtomically(target.root, meta.id, files);
  return { folder: target.folder, manifest, skipped: false, source };
}
