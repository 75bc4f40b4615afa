/**
 * `cv-lab datasets import <folder-or-zip> --id <id>`: a learner's own images, one sub-folder per
 * class, into the dataset format. Each image is decoded (PNG, JPEG, WebP), centre-cropped to the
 * target aspect ratio, converted to gray or RGB and resized (area when shrinking, bilinear when
 * enlarging); the set is split into train and test per class with a seed. Nothing is written until
 * everything has been read, and then atomically: a failure half way leaves no trace.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildDatasetFiles, DEFAULT_IMAGES_PER_SHARD } from '../../core/datasets/build';
import { gatherSplit } from '../../core/datasets/images/assemble';
import { stratifiedSplit } from '../../core/datasets/images/stratified-split';
import type { DatasetManifest } from '../../core/datasets/manifest';
import { stripControlCharacters } from '../../core/text/control-characters';
import { CliError } from '../cli-error';
import { collectClassImages } from './class-images';
import { datasetsRoot } from './fs-reader';
import { openImageSource } from './image-source';
import { writeDatasetAtomically } from './prepared';

export interface ImportOptions {
  /** A folder, or a zip of one, with one sub-folder per class. */
  input: string;
  id: string;
  /** [height, width]; 96×96 by default. */
  size?: [number, number];
  channels?: 1 | 3;
  /** Share of each class that goes to the test split (0.2 by default). */
  testFraction?: number;
  seed?: number;
  title?: string;
  /** Datasets root (default: public/datasets, or $CV_LAB_DATASETS). */
  out?: string;
  /** Replace an existing dataset of the same id. */
  force?: boolean;
  /** Accept an import whose test split is empty (it can be trained on, not graded on). */
  allowEmptyTest?: boolean;
  maxMegapixels?: number;
  progressEvery?: number;
  log?: (line: string) => void;
}

export interface ImportResult {
  folder: string;
  manifest: DatasetManifest;
  /** Images per class, in class order, for each split. */
  perClass: { train: number[]; test: number[] };
  nonImages: number;
  skipped: number;
}

export const IMPORT_DEFAULTS = {
  size: [96, 96] as [number, number],
  channels: 3 as const,
  testFraction: 0.2,
  seed: 1,
};

const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

export async function importImageFolder(options: ImportOptions): Promise<ImportResult> {
  const log = options.log ?? (() => {});
  if (!ID_PATTERN.test(options.id)) {
    throw new CliError(
      `--id '${options.id}' must be lower-case letters, digits and dashes (for example my-parts)`,
    );
  }
  const testFraction = options.testFraction ?? IMPORT_DEFAULTS.testFraction;
  const lowest = options.allowEmptyTest ? 0 : Number.MIN_VALUE;
  if (!(testFraction >= lowest && testFraction < 1)) {
    throw new CliError(
      options.allowEmptyTest
        ? `--test-fraction must be from 0 to below 1, got ${testFraction}`
        : `--test-fraction must be above 0 and below 1, got ${testFraction}`,
    );
  }
  const channels = options.channels ?? IMPORT_DEFAULTS.channels;
  const [height, width] = options.size ?? IMPORT_DEFAULTS.size;
  const seed = options.seed ?? IMPORT_DEFAULTS.seed;
  const root = path.resolve(options.out ?? datasetsRoot());
  const folder = path.join(root, options.id);
  if (existsSync(folder) && !options.force) {
    throw new CliError(
      `a dataset '${options.id}' already exists in ${folder}; choose another --id or pass --force to replace it`,
    );
  }

  let source;
  try {
    source = await openImageSource(options.input);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  try {
    log(`reading ${source.description}: ${source.files.length.toLocaleString('en-US')} files`);
    const collected = await collectClassImages(source, {
      shape: { height, width, channels },
      maxMegapixels: options.maxMegapixels,
      progressEvery: options.progressEvery,
      log,
    });
    const split = stratifiedSplit(collected.labels, testFraction, seed);
    const perImage = height * width * channels;
    const train = gatherSplit(collected.images, collected.labels, split.train, perImage);
    const test = gatherSplit(collected.images, collected.labels, split.test, perImage);
    if (test.count === 0 && !options.allowEmptyTest) {
      throw new CliError(
        `${stripControlCharacters(source.description)}: the test split would hold no image ` +
          `(${collected.images.length} images, test fraction ${testFraction}: each class needs at least 2 images to give one to test); ` +
          'add images, or pass --allow-empty-test to import it anyway (it can then be trained on but not graded on)',
      );
    }
    const perClass = {
      train: countPerClass(train.labels, collected.classNames.length),
      test: countPerClass(test.labels, collected.classNames.length),
    };
    collected.classNames.forEach((name, label) =>
      log(`  ${name}: ${perClass.train[label]} train, ${perClass.test[label]} test`),
    );
    const { manifest, files } = await buildDatasetFiles(
      {
        id: options.id,
        title: stripControlCharacters(options.title ?? options.id),
        license: 'as the imported images (imported by the user)',
        source: `imported from ${stripControlCharacters(path.basename(source.description))} (centre-cropped to ${width}:${height}, resized to ${height}×${width}×${channels}; test fraction ${testFraction}, seed ${seed})`,
        classNames: collected.classNames,
        imageShape: [height, width, channels],
      },
      { train, test },
      { imagesPerShard: Math.max(1, Math.floor((8 * 1024 * 1024) / perImage)) || DEFAULT_IMAGES_PER_SHARD },
    );
    await writeDatasetAtomically(root, options.id, files);
    return {
      folder,
      manifest,
      perClass,
      nonImages: collected.plan.nonImages.length,
      skipped: collected.skipped.length,
    };
  } finally {
    await source.close();
  }
}

function countPerClass(labels: Uint8Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}
