/**
 * The downloadable photo sets that come as zips of class folders: rock-paper-scissors and
 * horses-or-humans (Laurence Moroney's, with separate train and test zips, SHA-256s published by
 * TensorFlow Datasets), cats-vs-dogs-filtered (the course's 2,000 + 1,000 subset, one zip holding
 * `train/` and `validation/`, no published hash: trust on first use) and cats-vs-dogs (Microsoft's
 * Asirra archive, one zip, trust on first use; split here into train and test per class). Their
 * sizes come from core/datasets/downloads.ts, which the page shows too.
 *
 * The Microsoft archive holds images that are not JPEGs at all or are broken; like TensorFlow
 * Datasets (which drops 1,738 of them) a file whose first bytes lack the JFIF marker is skipped,
 * and so is any that fails to decode; the log counts them.
 */
import { gatherSplit } from '../../core/datasets/images/assemble';
import { stratifiedSplit } from '../../core/datasets/images/stratified-split';
import type { RawSplit } from '../../core/datasets/types';
import { downloadNote } from '../../core/datasets/downloads';
import { CliError } from '../cli-error';
import { describeArchives, fetchArchive, recordedHashes } from './archive-download';
import type { ArchiveSpec, FetchedArchive } from './archive-download';
import { collectClassImages } from './class-images';
import type { CollectedImages } from './class-images';
import { openImageSource, withinFolder } from './image-source';
import type { ImageSource } from './image-source';
import type { DatasetPreparer, PrepareOptions, PrepareResult } from './preparer';
import { resolveTarget, writePrepared } from './preparer';

const TF_DATA = 'https://storage.googleapis.com/download.tensorflow.org/data/';

/** `…, downloads 230 MB once`: the description's download size, from core/datasets/downloads.ts. */
const sized = (id: string, what: string) => `${what} (${downloadNote(id) ?? 'nothing to download'})`;

export interface ImageArchiveSet {
  id: string;
  title: string;
  license: string;
  description: string;
  train: ArchiveSpec;
  /** A separate test archive; without one, `testFraction` of each class goes to test. */
  test?: ArchiveSpec;
  testFraction?: number;
  size: [number, number];
  channels: 1 | 3;
  /** Images per class kept by default (per archive). */
  defaultLimit?: number;
  precheck?: (file: string, source: ImageSource) => Promise<string | undefined>;
}

/** TFDS's rule for the Microsoft archive: a real JPEG of that set says JFIF in its first 10 bytes. */
async function requireJfif(file: string, source: ImageSource): Promise<string | undefined> {
  const start = await source.readStart(file, 10);
  return String.fromCharCode(...start).includes('JFIF')
    ? undefined
    : 'corrupt: no JFIF header (a known bad file of this archive)';
}

export const IMAGE_ARCHIVE_SETS: ImageArchiveSet[] = [
  {
    id: 'rock-paper-scissors',
    title: 'Rock, paper, scissors',
    license: 'CC BY 2.0 (Laurence Moroney)',
    description: sized('rock-paper-scissors', 'CGI hands, 3 classes, 2,520 train / 372 test'),
    train: {
      file: 'rps.zip',
      url: `${TF_DATA}rps.zip`,
      sha256: 'c2403444395842ad04c53612bad54b574443eae17a0723117a2ff87b9d72194f',
      hashSource: 'TensorFlow Datasets, url_checksums/rock_paper_scissors',
    },
    test: {
      file: 'rps-test-set.zip',
      url: `${TF_DATA}rps-test-set.zip`,
      sha256: 'c27ab9fa43ce40b2e453de711365b477f4424586edf0388116674fd320f07503',
      hashSource: 'TensorFlow Datasets, url_checksums/rock_paper_scissors',
    },
    size: [96, 96],
    channels: 3,
  },
  {
    id: 'horses-or-humans',
    title: 'Horses or humans',
    license: 'CC BY 2.0 (Laurence Moroney)',
    description: sized('horses-or-humans', 'CGI horses and humans, 1,027 train / 256 test'),
    train: {
      file: 'horse-or-human.zip',
      url: `${TF_DATA}horse-or-human.zip`,
      sha256: 'e2e6f70d3d549c5dd10a57165e55af253ee66ad750403f95c0fb76bb943633a9',
      hashSource: 'TensorFlow Datasets, url_checksums/horses_or_humans',
    },
    test: {
      file: 'validation-horse-or-human.zip',
      url: `${TF_DATA}validation-horse-or-human.zip`,
      sha256: 'ae5fff2f4f5554791f05358108e2e05d9801b191f1896ea101402f0e7f6c32c0',
      hashSource: 'TensorFlow Datasets, url_checksums/horses_or_humans',
    },
    size: [96, 96],
    channels: 3,
  },
  {
    id: 'cats-vs-dogs-filtered',
    title: 'Cats vs dogs (filtered)',
    license:
      'Microsoft Research (Asirra) photos, the subset Google published for its course; see https://www.microsoft.com/en-us/download/details.aspx?id=54765',
    description: sized(
      'cats-vs-dogs-filtered',
      "the course's subset: 1,000 train and 500 validation photos per class, 2 classes",
    ),
    train: {
      file: 'cats_and_dogs_filtered.zip',
      url: 'https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip',
      folder: 'train',
    },
    test: {
      file: 'cats_and_dogs_filtered.zip',
      url: 'https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip',
      folder: 'validation',
    },
    size: [96, 96],
    channels: 3,
  },
  {
    id: 'cats-vs-dogs',
    title: 'Cats vs dogs',
    license:
      'Microsoft Research (Asirra); see https://www.microsoft.com/en-us/download/details.aspx?id=54765',
    description: sized('cats-vs-dogs', 'photos of cats and dogs, 1,000 per class by default (--limit)'),
    train: {
      file: 'kagglecatsanddogs_5340.zip',
      url: 'https://download.microsoft.com/download/3/E/1/3E1C3F21-ECDB-4869-8368-6DEBA77B919F/kagglecatsanddogs_5340.zip',
    },
    testFraction: 0.2,
    size: [96, 96],
    channels: 3,
    defaultLimit: 1000,
    precheck: requireJfif,
  },
];

export interface ImageArchiveOptions extends PrepareOptions {
  /** Override the archives' hashes (tests serve their own zips); `null` means no published hash. */
  hashes?: Record<string, string | null>;
}

export async function prepareImageArchiveSet(
  set: ImageArchiveSet,
  options: ImageArchiveOptions = {},
): Promise<PrepareResult> {
  const log = options.log ?? (() => {});
  const target = await resolveTarget(set.id, options);
  if (options.ifMissing && target.existing)
    return { folder: target.folder, manifest: target.existing, skipped: true };
  const [height, width] = options.size ?? set.size;
  const shape = { height, width, channels: set.channels };
  const limit = options.limit ?? set.defaultLimit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new CliError(`--limit must be a positive whole number, got ${limit}`);
  }
  const recorded = recordedHashes(target.existing?.source);
  const fetched: FetchedArchive[] = [];
  const fetchOnce = async (spec: ArchiveSpec): Promise<FetchedArchive> => {
    const known = fetched.find((archive) => archive.file === spec.file);
    if (known) return known;
    const override = options.hashes?.[spec.file];
    const archive = await fetchArchive(
      override === undefined ? spec : { ...spec, sha256: override ?? undefined },
      {
        datasetId: set.id,
        from: options.from,
        url: options.url,
        cacheDir: options.cacheDir,
        recorded,
        log,
      },
    );
    fetched.push(archive);
    return archive;
  };
  const read = async (spec: ArchiveSpec, classNames?: string[]): Promise<CollectedImages> => {
    const archive = await fetchOnce(spec);
    let source: ImageSource;
    try {
      source = await openImageSource(archive.path);
      if (spec.folder) source = withinFolder(source, spec.folder);
    } catch (error) {
      throw new CliError(
        `${spec.file} (${archive.path}): ${(error as Error).message}; delete it and prepare ${set.id} again`,
      );
    }
    try {
      log(
        `reading ${spec.file}${spec.folder ? `, ${spec.folder}/` : ''}${limit ? ` (at most ${limit} images per class)` : ''}`,
      );
      const collected = await collectClassImages(source, {
        shape,
        classNames,
        limitPerClass: limit,
        precheck: set.precheck,
        log,
      });
      const corrupt = collected.skipped.length;
      if (corrupt > 0) log(`${spec.file}: skipped ${corrupt} corrupt images`);
      return collected;
    } finally {
      await source.close();
    }
  };

  const perImage = height * width * set.channels;
  const all = (c: CollectedImages) => c.labels.map((_, i) => i);
  let splits: { train: RawSplit; test: RawSplit };
  const train = await read(set.train);
  if (set.test) {
    const test = await read(set.test, train.classNames);
    splits = {
      train: gatherSplit(train.images, train.labels, shuffled(all(train), options.seed ?? 1), perImage),
      test: gatherSplit(test.images, test.labels, shuffled(all(test), (options.seed ?? 1) + 1), perImage),
    };
  } else {
    const indices = stratifiedSplit(train.labels, set.testFraction ?? 0.2, options.seed ?? 1);
    splits = {
      train: gatherSplit(train.images, train.labels, indices.train, perImage),
      test: gatherSplit(train.images, train.labels, indices.test, perImage),
    };
  }
  log(
    `writing ${splits.train.count} train and ${splits.test.count} test images of ${height}×${width}×${set.channels} into ${target.folder}`,
  );
  const urls = [...new Set([set.train.url, ...(set.test ? [set.test.url] : [])])];
  const source = `${urls.join(' and ')}: ${describeArchives(fetched)}`;
  return writePrepared(
    target,
    {
      id: set.id,
      title: set.title,
      license: set.license,
      source,
      classNames: train.classNames,
      imageShape: [height, width, set.channels],
    },
    splits,
    source,
  );
}

/** Archives list class by class; a seeded shuffle mixes them (the learner's code may not). */
function shuffled(indices: number[], seed: number): number[] {
  return stratifiedSplit(
    indices.map(() => 0),
    0,
    seed,
  ).train.map((i) => indices[i]);
}

export const IMAGE_ARCHIVE_PREPARERS: DatasetPreparer[] = IMAGE_ARCHIVE_SETS.map((set) => ({
  id: set.id,
  description: set.description,
  prepare: (options: ImageArchiveOptions) => prepareImageArchiveSet(set, options),
}));
