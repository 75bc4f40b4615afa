/**
 * `cv-lab datasets prepare mnist`: the four original idx gzip files from Google's CVDF mirror (the
 * location TensorFlow's own loaders use), checked against the SHA-256s TensorFlow Datasets
 * publishes for them, optionally resized with `--size`.
 */
import { readFile } from 'node:fs/promises';
import { resizeImage } from '../../core/datasets/images/resize';
import type { RawSplit } from '../../core/datasets/types';
import { CliError } from '../cli-error';
import { describeArchives, fetchArchive, recordedHashes } from './archive-download';
import type { ArchiveSpec, FetchedArchive } from './archive-download';
import { inflateIdx, parseIdx } from './idx';
import type { DatasetPreparer, PrepareOptions, PrepareResult } from './preparer';
import { resolveTarget, writePrepared } from './preparer';

export const MNIST_ID = 'mnist';
export const MNIST_BASE_URL = 'https://storage.googleapis.com/cvdf-datasets/mnist/';
const TFDS = 'TensorFlow Datasets, url_checksums/mnist';

export const MNIST_ARCHIVES: Record<
  'trainImages' | 'trainLabels' | 'testImages' | 'testLabels',
  ArchiveSpec
> = {
  trainImages: {
    file: 'train-images-idx3-ubyte.gz',
    url: `${MNIST_BASE_URL}train-images-idx3-ubyte.gz`,
    sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    hashSource: TFDS,
  },
  trainLabels: {
    file: 'train-labels-idx1-ubyte.gz',
    url: `${MNIST_BASE_URL}train-labels-idx1-ubyte.gz`,
    sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
    hashSource: TFDS,
  },
  testImages: {
    file: 't10k-images-idx3-ubyte.gz',
    url: `${MNIST_BASE_URL}t10k-images-idx3-ubyte.gz`,
    sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    hashSource: TFDS,
  },
  testLabels: {
    file: 't10k-labels-idx1-ubyte.gz',
    url: `${MNIST_BASE_URL}t10k-labels-idx1-ubyte.gz`,
    sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
    hashSource: TFDS,
  },
};

export interface MnistOptions extends PrepareOptions {
  /** Override the known archives (tests serve their own tiny files). */
  archives?: typeof MNIST_ARCHIVES;
}

export async function prepareMnist(options: MnistOptions = {}): Promise<PrepareResult> {
  const log = options.log ?? (() => {});
  const target = await resolveTarget(MNIST_ID, options);
  if (options.ifMissing && target.existing)
    return { folder: target.folder, manifest: target.existing, skipped: true };
  const archives = options.archives ?? MNIST_ARCHIVES;
  const fetched: FetchedArchive[] = [];
  const read = async (spec: ArchiveSpec, rank: number) => {
    const archive = await fetchArchive(spec, {
      datasetId: MNIST_ID,
      from: options.from,
      url: options.url,
      cacheDir: options.cacheDir,
      recorded: recordedHashes(target.existing?.source),
      log,
    });
    fetched.push(archive);
    try {
      return parseIdx(await inflateIdx(await readFile(archive.path)), rank);
    } catch (error) {
      throw new CliError(`${spec.file}: ${(error as Error).message}`);
    }
  };
  const split = async (
    images: ArchiveSpec,
    labels: ArchiveSpec,
  ): Promise<{ split: RawSplit; side: [number, number] }> => {
    const pixels = await read(images, 3);
    const classes = await read(labels, 1);
    const [count, height, width] = pixels.shape;
    if (classes.shape[0] !== count) {
      throw new CliError(
        `${images.file} holds ${count} images but ${labels.file} holds ${classes.shape[0]} labels`,
      );
    }
    return { split: { images: pixels.data, labels: classes.data, count }, side: [height, width] };
  };
  const train = await split(archives.trainImages, archives.trainLabels);
  const test = await split(archives.testImages, archives.testLabels);
  const [height, width] = options.size ?? train.side;
  const resize = (raw: RawSplit, side: [number, number]): RawSplit => {
    if (side[0] === height && side[1] === width) return raw;
    const out = new Uint8Array(raw.count * height * width);
    const perImage = side[0] * side[1];
    for (let i = 0; i < raw.count; i++) {
      const image = {
        width: side[1],
        height: side[0],
        channels: 1,
        data: raw.images.subarray(i * perImage, (i + 1) * perImage),
      };
      out.set(resizeImage(image, height, width).data, i * height * width);
    }
    return { images: out, labels: raw.labels, count: raw.count };
  };
  log(
    `writing ${train.split.count} train and ${test.split.count} test images of ${height}×${width}×1 into ${target.folder}`,
  );
  const source = `${MNIST_BASE_URL}: ${describeArchives(fetched)}`;
  return writePrepared(
    target,
    {
      id: MNIST_ID,
      title: 'MNIST',
      license: 'CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)',
      source,
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      imageShape: [height, width, 1],
    },
    { train: resize(train.split, train.side), test: resize(test.split, test.side) },
    source,
  );
}

export const MNIST_PREPARER: DatasetPreparer = {
  id: MNIST_ID,
  description: 'handwritten digits, 28×28 gray (downloads 11 MB)',
  prepare: prepareMnist,
};
