/**
 * `cv-lab datasets prepare fashion-mnist`: gets the four original idx gzip files (from `--from`,
 * else Debian's `dataset-fashion-mnist`, else the canonical download), checks them against their
 * known hashes, and writes the dataset format into `<datasets root>/fashion-mnist/`.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildDatasetFiles, DEFAULT_IMAGES_PER_SHARD } from '../../core/datasets/build';
import type { DatasetManifest } from '../../core/datasets/manifest';
import type { RawSplit } from '../../core/datasets/types';
import { InflateLimitError } from '../../core/shared/bytes';
import { CliError } from '../cli-error';
import { datasetsRoot } from './fs-reader';
import { inflateIdx, parseIdx } from './idx';
import { quickCheckDataset, writeDatasetAtomically } from './prepared';
import { downloadFile } from './download';
import { errorMessageWithCause } from '../../core/shared/errors';

export const FASHION_MNIST_ID = 'fashion-mnist';
export const FASHION_MNIST_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';
export const DEBIAN_FASHION_MNIST_FOLDER = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;
type OriginalFile = (typeof FASHION_MNIST_FILES)[keyof typeof FASHION_MNIST_FILES];

/**
 * What an original file must be. A file passes when either hash matches:
 * - `gzipMd5`: the MD5 of the .gz file as zalandoresearch/fashion-mnist's README publishes it
 *   (what the canonical download serves);
 * - `contentSha256`: the SHA-256 of the decompressed idx bytes. Debian's package ships the same data
 *   recompressed (its .gz MD5s differ from the README's), so the content hash is what identifies
 *   the data whatever the compression. These were computed from Debian's files, whose decompressed
 *   contents are exactly the 60,000/10,000 idx images and labels.
 */
export interface KnownOriginal {
  gzipMd5: string;
  contentSha256: string;
}

export const FASHION_MNIST_KNOWN_HASHES: Record<OriginalFile, KnownOriginal> = {
  'train-images-idx3-ubyte.gz': {
    gzipMd5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
    contentSha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  },
  'train-labels-idx1-ubyte.gz': {
    gzipMd5: '25c81989df183df01b3e8a0aad5dffbe',
    contentSha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  },
  't10k-images-idx3-ubyte.gz': {
    gzipMd5: 'bef4ecab320f06d8554ea6380940ec79',
    contentSha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  },
  't10k-labels-idx1-ubyte.gz': {
    gzipMd5: 'bb300cfdad3c16e7a12a480ee83cd310',
    contentSha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
  },
};

export interface PrepareOptions {
  /** A folder holding the four original .gz files; when given, the only source tried. */
  from?: string;
  /** The datasets root to write into (the dataset goes to `<out>/fashion-mnist/`). */
  out?: string;
  /** Do nothing when a valid dataset is already there. */
  ifMissing?: boolean;
  /** Download from this base URL instead of the canonical one (skips the Debian folder). */
  url?: string;
  /** Where Debian's package puts the files; overridable for tests. */
  systemFolder?: string;
  /** Expected hashes of the originals; overridable for tests with fixture files. */
  knownHashes?: Record<string, KnownOriginal>;
  /** Progress lines (the CLI sends them to stderr). */
  log?: (line: string) => void;
}

export interface PrepareResult {
  folder: string;
  manifest: DatasetManifest;
  /** True when `ifMissing` found a valid dataset and nothing was written. */
  skipped: boolean;
  /** Where the originals came from: a folder or a URL. */
  source?: string;
}

const HOW_TO_GET_THE_FILES =
  `install Debian's package (\`sudo apt-get install dataset-fashion-mnist\`, which puts them in ${DEBIAN_FASHION_MNIST_FOLDER}/), ` +
  `or download ${Object.values(FASHION_MNIST_FILES).join(', ')} from ${FASHION_MNIST_URL} into a folder ` +
  `and run \`npx cv-lab datasets prepare fashion-mnist --from <folder>\``;

export async function prepareFashionMnist(options: PrepareOptions = {}): Promise<PrepareResult> {
  const log = options.log ?? (() => {});
  const root = path.resolve(options.out ?? datasetsRoot());
  const folder = path.join(root, FASHION_MNIST_ID);
  if (options.ifMissing) {
    const check = await quickCheckDataset(folder);
    if (check.ok) return { folder, manifest: check.manifest, skipped: true };
    if (existsSync(folder)) log(`${folder} is not a valid dataset (${check.reason}); preparing it again`);
  }

  const { originals, source } = await getOriginals(options, log);
  log(`read the originals from ${source}; checking hashes`);
  const known = options.knownHashes ?? FASHION_MNIST_KNOWN_HASHES;
  const decoded = new Map<OriginalFile, Uint8Array>();
  for (const [file, gz] of originals) decoded.set(file, await checkOriginal(file, gz, known[file], source));

  const train = toRawSplit(decoded, FASHION_MNIST_FILES.trainImages, FASHION_MNIST_FILES.trainLabels);
  const test = toRawSplit(decoded, FASHION_MNIST_FILES.testImages, FASHION_MNIST_FILES.testLabels);
  if (train.shape.join() !== test.shape.join()) {
    throw new CliError(
      `train images are ${train.shape.join('×')} but test images are ${test.shape.join('×')}`,
    );
  }
  log(
    `writing ${train.split.count.toLocaleString('en-US')} train and ${test.split.count.toLocaleString('en-US')} test images into ${folder}`,
  );
  const { manifest, files } = await buildDatasetFiles(
    {
      id: FASHION_MNIST_ID,
      title: 'Fashion-MNIST',
      license: 'MIT (Copyright 2017 Zalando SE)',
      source: 'https://github.com/zalandoresearch/fashion-mnist',
      classNames: FASHION_MNIST_CLASS_NAMES,
      imageShape: [train.shape[0], train.shape[1], 1],
    },
    { train: train.split, test: test.split },
    { imagesPerShard: DEFAULT_IMAGES_PER_SHARD },
  );
  await writeDatasetAtomically(root, FASHION_MNIST_ID, files);
  return { folder, manifest, skipped: false, source };
}

type Originals = Map<OriginalFile, Uint8Array>;

async function getOriginals(options: PrepareOptions, log: (line: string) => void) {
  if (options.from) {
    const from = path.resolve(options.from);
    const missing = Object.values(FASHION_MNIST_FILES).filter((f) => !existsSync(path.join(from, f)));
    if (missing.length > 0) {
      throw new CliError(`--from ${from}: ${missing.join(', ')} missing; ${HOW_TO_GET_THE_FILES}`);
    }
    return { originals: await readOriginals(from), source: from };
  }
  const system = options.systemFolder ?? DEBIAN_FASHION_MNIST_FOLDER;
  if (!options.url && Object.values(FASHION_MNIST_FILES).every((f) => existsSync(path.join(system, f)))) {
    return { originals: await readOriginals(system), source: system };
  }
  const base = options.url ?? FASHION_MNIST_URL;
  const originals: Originals = new Map();
  for (const file of Object.values(FASHION_MNIST_FILES)) {
    const url = new URL(file, base.endsWith('/') ? base : `${base}/`).href;
    try {
      originals.set(file, await downloadFile(url, log));
    } catch (error) {
      throw new CliError(
        `could not download ${url} (${errorMessageWithCause(error)}) and no local copy was found; ${HOW_TO_GET_THE_FILES}`,
      );
    }
  }
  return { originals, source: base };
}

async function readOriginals(folder: string): Promise<Originals> {
  const originals: Originals = new Map();
  for (const file of Object.values(FASHION_MNIST_FILES)) {
    originals.set(file, new Uint8Array(await readFile(path.join(folder, file))));
  }
  return originals;
}

/** Verifies one original against its known hashes and returns its decompressed idx bytes. */
async function checkOriginal(
  file: string,
  gz: Uint8Array,
  known: KnownOriginal | undefined,
  source: string,
): Promise<Uint8Array> {
  if (!known) throw new CliError(`no known hash for ${file}`);
  const md5 = createHash('md5').update(gz).digest('hex');
  let content: Uint8Array;
  try {
    content = await inflateIdx(gz);
  } catch (error) {
    if (error instanceof InflateLimitError) {
      throw new CliError(`${file} from ${source} is not an original: it ${error.message}`);
    }
    throw new CliError(
      `${file} from ${source} is corrupt: not a valid gzip file (${(error as Error).message})`,
    );
  }
  if (md5 === known.gzipMd5) return content;
  const sha256 = createHash('sha256').update(content).digest('hex');
  if (sha256 === known.contentSha256) return content;
  throw new CliError(
    `${file} from ${source} does not match its known hash (MD5 ${md5}, expected ${known.gzipMd5}; ` +
      `content SHA-256 ${sha256}, expected ${known.contentSha256}): the file is corrupt or not the original; ` +
      `delete it and ${HOW_TO_GET_THE_FILES}`,
  );
}

function toRawSplit(
  decoded: Map<OriginalFile, Uint8Array>,
  imagesFile: OriginalFile,
  labelsFile: OriginalFile,
) {
  const images = parseOriginal(imagesFile, decoded.get(imagesFile)!, 3);
  const labels = parseOriginal(labelsFile, decoded.get(labelsFile)!, 1);
  const [count, height, width] = images.shape;
  if (labels.shape[0] !== count) {
    throw new CliError(
      `${imagesFile} holds ${count} images but ${labelsFile} holds ${labels.shape[0]} labels`,
    );
  }
  const split: RawSplit = { images: images.data, labels: labels.data, count };
  return { split, shape: [height, width] };
}

function parseOriginal(file: string, bytes: Uint8Array, rank: number) {
  try {
    return parseIdx(bytes, rank);
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`);
  }
}
