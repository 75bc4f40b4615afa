import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/core/datasets/load';
import { fsDatasetReader } from '../../../src/cli/datasets/fs-reader';
import { encodeIdx } from '../../../src/cli/datasets/idx';
import { IMAGE_ARCHIVE_SETS, prepareImageArchiveSet } from '../../../src/cli/datasets/image-archive-sets';
import { MNIST_ARCHIVES, prepareMnist } from '../../../src/cli/datasets/mnist';
import { runCli } from '../datasets/cli-helpers';
import { encodeJpeg, encodePng, serveArchives, zipTree } from '../../fixtures/datasets-more/images';

const temp = await mkdtemp(path.join(os.tmpdir(), 'cv-lab-downloads-'));
afterAll(() => rm(temp, { recursive: true, force: true }));
let runs = 0;
const fresh = (name: string) => path.join(temp, `${name}-${runs++}`);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

let server: Awaited<ReturnType<typeof serveArchives>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** MNIST's four files in miniature: 10 train and 4 test 28×28 images, pixel value = 10 × label. */
function tinyMnist() {
  const files = new Map<string, Uint8Array>();
  const add = (name: string, content: Uint8Array) => files.set(name, new Uint8Array(gzipSync(content)));
  const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 10);
  const images = (n: number) =>
    encodeIdx(
      [n, 28, 28],
      Uint8Array.from({ length: n * 784 }, (_, i) => 10 * (Math.floor(i / 784) % 10)),
    );
  add('train-images-idx3-ubyte.gz', images(10));
  add('train-labels-idx1-ubyte.gz', encodeIdx([10], labels(10)));
  add('t10k-images-idx3-ubyte.gz', images(4));
  add('t10k-labels-idx1-ubyte.gz', encodeIdx([4], labels(4)));
  const archives = Object.fromEntries(
    Object.entries(MNIST_ARCHIVES).map(([key, spec]) => [
      key,
      { ...spec, sha256: sha256(files.get(spec.file)!) },
    ]),
  ) as typeof MNIST_ARCHIVES;
  return { files, archives };
}

describe('prepare mnist against a local server', () => {
  it('downloads, checks, caches and resizes; --if-missing then downloads nothing', async () => {
    const { files, archives } = tinyMnist();
    server = await serveArchives(files);
    const out = fresh('out');
    const cacheDir = fresh('cache');
    const lines: string[] = [];
    const result = await prepareMnist({
      url: server.baseUrl,
      out,
      cacheDir,
      archives,
      size: [14, 14],
      log: (l) => lines.push(l),
    });
    expect(server.requests.sort()).toEqual([...files.keys()].sort());
    expect(lines).toContain(
      `downloading ${server.baseUrl}train-images-idx3-ubyte.gz (${Math.ceil(files.get('train-images-idx3-ubyte.gz')!.length / 1e3)} kB)`,
    );
    const dataset = await loadDataset(fsDatasetReader(result.folder), { splits: ['train', 'test'] });
    expect(dataset.manifest.imageShape).toEqual([14, 14, 1]);
    expect(dataset.splits.train!.count).toBe(10);
    expect(dataset.splits.train!.images[3 * 196 + 50]).toBe(30); // image 3 is all 30s
    expect(dataset.manifest.source).toContain(
      `train-images-idx3-ubyte.gz (sha256 ${archives.trainImages.sha256})`,
    );
    expect(await readdir(cacheDir)).toHaveLength(4);

    // A second preparation reads the cache, and --if-missing does nothing at all.
    await prepareMnist({ url: server.baseUrl, out, cacheDir, archives });
    expect(server.requests).toHaveLength(4);
    expect(
      (await prepareMnist({ url: server.baseUrl, out, cacheDir, archives, ifMissing: true })).skipped,
    ).toBe(true);
  });

  it('rejects files that do not match the published SHA-256 (the real ones), keeping nothing', async () => {
    const { files } = tinyMnist();
    server = await serveArchives(files);
    const out = fresh('out');
    const cache = fresh('cache');
    const result = await runCli([
      'datasets',
      'prepare',
      'mnist',
      '--url',
      server.baseUrl,
      '--out',
      out,
      '--cache',
      cache,
    ]);
    expect(result.code).toBe(2);
    expect(lastLine(result.stderr)).toMatch(
      new RegExp(
        `^cv-lab: train-images-idx3-ubyte\\.gz from ${server.baseUrl}train-images-idx3-ubyte\\.gz does not match its published SHA-256 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609 \\(TensorFlow Datasets, url_checksums/mnist\\): its SHA-256 is [0-9a-f]{64} \\(\\d+ bytes\\); the download is corrupt, truncated or not the original`,
      ),
    );
    expect(existsSync(out)).toBe(false);
    expect(await readdir(cache)).toEqual([]);
  });

  it('says what failed on a truncated download and on a 404, with what to do', async () => {
    const { files, archives } = tinyMnist();
    server = await serveArchives(files, new Set(['t10k-images-idx3-ubyte.gz']));
    const cacheDir = fresh('cache');
    const truncated = await prepareMnist({
      url: server.baseUrl,
      out: fresh('out'),
      cacheDir,
      archives,
    }).catch((e: Error) => e);
    expect((truncated as Error).message).toMatch(
      new RegExp(
        `^could not download ${server.baseUrl}t10k-images-idx3-ubyte\\.gz \\(.+\\); \\d+ kB arrived and are kept in .+: run the same command again to resume, or download https://storage\\.googleapis\\.com/cvdf-datasets/mnist/t10k-images-idx3-ubyte\\.gz by hand into a folder and run \`npx cv-lab datasets prepare mnist --from <folder>\`$`,
      ),
    );
    // What arrived is kept, as a partial file, for the next run to resume.
    expect((await readdir(cacheDir)).sort()).toEqual([
      't10k-images-idx3-ubyte.gz.part',
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
    ]);

    files.delete('t10k-labels-idx1-ubyte.gz');
    await server.close();
    server = await serveArchives(files);
    const missing = await runCli([
      'datasets',
      'prepare',
      'mnist',
      '--url',
      server.baseUrl,
      '--out',
      fresh('out'),
      '--cache',
      fresh('cache'),
    ]);
    expect(missing.code).toBe(2);
    // The real hashes stop the first file; with matching hashes the 404 is reached.
    const notFound = await prepareMnist({
      url: server.baseUrl,
      out: fresh('out'),
      cacheDir: fresh('cache'),
      archives,
    }).catch((e: Error) => e);
    expect((notFound as Error).message).toContain(
      `could not download ${server.baseUrl}t10k-labels-idx1-ubyte.gz (HTTP 404 Not Found)`,
    );
  });

  it('reads the files from --from, checked the same way', async () => {
    const { files, archives } = tinyMnist();
    const from = fresh('from');
    await rm(from, { recursive: true, force: true });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(from);
    for (const [name, bytes] of files) await writeFile(path.join(from, name), bytes);
    const result = await prepareMnist({ from, out: fresh('out'), archives });
    expect(result.manifest.splits.test.count).toBe(4);
    const wrong = await runCli(['datasets', 'prepare', 'mnist', '--from', from, '--out', fresh('out')]);
    expect(lastLine(wrong.stderr)).toMatch(
      /^cv-lab: train-images-idx3-ubyte\.gz in .* does not match its published SHA-256 440fcabf/,
    );
  });
});

const setById = (id: string) => IMAGE_ARCHIVE_SETS.find((s) => s.id === id)!;

describe('prepare the image archives against a local server', () => {
  it('rock-paper-scissors: a train and a test zip of class folders (one wrapped in a top folder)', async () => {
    const classes = { rock: [120, 80, 60], paper: [240, 240, 230], scissors: [60, 60, 200] } as const;
    const train: Record<string, Uint8Array> = {};
    const test: Record<string, Uint8Array> = {};
    for (const [name, colour] of Object.entries(classes)) {
      for (let i = 0; i < 4; i++) train[`rps/${name}/${name}0${i}.png`] = encodePng(30, 30, [...colour]);
      test[`rps-test-set/${name}/test-${name}.png`] = encodePng(30, 30, [...colour]);
    }
    const files = new Map([
      ['rps.zip', zipTree(train)],
      ['rps-test-set.zip', zipTree(test)],
    ]);
    server = await serveArchives(files);
    const hashes = {
      'rps.zip': sha256(files.get('rps.zip')!),
      'rps-test-set.zip': sha256(files.get('rps-test-set.zip')!),
    };
    const out = fresh('out');
    const result = await prepareImageArchiveSet(setById('rock-paper-scissors'), {
      url: server.baseUrl,
      out,
      cacheDir: fresh('cache'),
      hashes,
      size: [12, 12],
    });
    const dataset = await loadDataset(fsDatasetReader(result.folder), { splits: ['train', 'test'] });
    expect(dataset.manifest.classNames).toEqual(['paper', 'rock', 'scissors']);
    expect(dataset.manifest.imageShape).toEqual([12, 12, 3]);
    expect(dataset.splits.train!.count).toBe(12);
    expect(dataset.splits.test!.count).toBe(3);
    const { images, labels } = dataset.splits.test!;
    for (let i = 0; i < 3; i++) {
      expect(Array.from(images.subarray(i * 432, i * 432 + 3))).toEqual([
        ...classes[dataset.manifest.classNames[labels[i]] as keyof typeof classes],
      ]);
    }

    // The real published hashes reject these fixture zips.
    const wrong = await prepareImageArchiveSet(setById('rock-paper-scissors'), {
      url: server.baseUrl,
      out: fresh('out'),
      cacheDir: fresh('cache'),
    }).catch((e: Error) => e);
    expect((wrong as Error).message).toMatch(
      /^rps\.zip from .* does not match its published SHA-256 c2403444395842ad04c53612bad54b574443eae17a0723117a2ff87b9d72194f \(TensorFlow Datasets, url_checksums\/rock_paper_scissors\)/,
    );
  });

  it('horses-or-humans: a test zip whose classes differ from the train zip is refused', async () => {
    const files = new Map([
      [
        'horse-or-human.zip',
        zipTree({ 'horses/h1.png': encodePng(8, 8, [1, 1, 1]), 'humans/p1.png': encodePng(8, 8, [2, 2, 2]) }),
      ],
      [
        'validation-horse-or-human.zip',
        zipTree({ 'horses/h1.png': encodePng(8, 8, [1, 1, 1]), 'people/p1.png': encodePng(8, 8, [2, 2, 2]) }),
      ],
    ]);
    server = await serveArchives(files);
    const hashes = Object.fromEntries([...files].map(([name, bytes]) => [name, sha256(bytes)]));
    const error = await prepareImageArchiveSet(setById('horses-or-humans'), {
      url: server.baseUrl,
      out: fresh('out'),
      cacheDir: fresh('cache'),
      hashes,
    }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /validation-horse-or-human\.zip: expected the classes horses, humans, found horses, people$/,
    );
  });

  it('cats-vs-dogs: trust on first use, known-bad JPEGs skipped and counted, --limit per class, split per class', async () => {
    const zip = (dogColour: [number, number, number]) => {
      const tree: Record<string, Uint8Array | string> = {
        'PetImages/Cat/Thumbs.db': 'x',
        'PetImages/Dog/Thumbs.db': 'x',
      };
      for (let i = 0; i < 7; i++) tree[`PetImages/Cat/${i}.jpg`] = encodeJpeg(20, 16, [200, 150, 100]);
      for (let i = 0; i < 6; i++) tree[`PetImages/Dog/${i}.jpg`] = encodeJpeg(16, 20, dogColour);
      tree['PetImages/Cat/0.jpg'] = new Uint8Array(); // the archive's empty file
      tree['PetImages/Dog/1.jpg'] = encodeJpeg(16, 20, dogColour, false); // no JFIF marker
      return zipTree(tree);
    };
    const files = new Map([['kagglecatsanddogs_5340.zip', zip([90, 70, 50])]]);
    server = await serveArchives(files);
    const out = fresh('out');
    const cache = fresh('cache');
    const first = await runCli([
      'datasets',
      'prepare',
      'cats-vs-dogs',
      '--url',
      server.baseUrl,
      '--out',
      out,
      '--cache',
      cache,
      '--limit',
      '5',
      '--size',
      '8x8',
    ]);
    expect(first.code).toBe(0);
    const digest = sha256(files.get('kagglecatsanddogs_5340.zip')!);
    expect(first.stderr).toContain(
      `kagglecatsanddogs_5340.zip: no published SHA-256; recorded ${digest} on first use (trust on first use): later preparations of cats-vs-dogs compare against it`,
    );
    expect(first.stderr).toContain(
      'skipping 2 non-image files: PetImages/Cat/Thumbs.db, PetImages/Dog/Thumbs.db',
    );
    expect(first.stderr).toContain('kagglecatsanddogs_5340.zip: skipped 2 corrupt images');
    expect(first.stderr).toContain(
      'PetImages/Dog/1.jpg (corrupt: no JFIF header (a known bad file of this archive))',
    );
    expect(first.stdout).toBe(
      `prepared cats-vs-dogs in ${path.join(out, 'cats-vs-dogs')}: 8 train, 2 test images\n`,
    );
    const dataset = await loadDataset(fsDatasetReader(path.join(out, 'cats-vs-dogs')), {
      splits: ['train', 'test'],
    });
    expect(dataset.manifest.classNames).toEqual(['Cat', 'Dog']);
    expect(dataset.manifest.source).toContain(
      `kagglecatsanddogs_5340.zip (sha256 ${digest}, recorded on first use)`,
    );
    const labels = [...dataset.splits.train!.labels, ...dataset.splits.test!.labels];
    expect(labels.filter((l) => l === 0)).toHaveLength(5);
    expect(labels.filter((l) => l === 1)).toHaveLength(5);

    // The server now serves other bytes: with the cache gone, the recorded hash catches it.
    files.set('kagglecatsanddogs_5340.zip', zip([10, 10, 10]));
    await rm(cache, { recursive: true });
    const changed = await runCli([
      'datasets',
      'prepare',
      'cats-vs-dogs',
      '--url',
      server.baseUrl,
      '--out',
      out,
      '--cache',
      cache,
    ]);
    expect(changed.code).toBe(2);
    expect(lastLine(changed.stderr)).toContain(
      `kagglecatsanddogs_5340.zip from ${server.baseUrl}kagglecatsanddogs_5340.zip does not match the SHA-256 ${digest} recorded when cats-vs-dogs was first prepared`,
    );
    // The dataset prepared before is untouched.
    expect(
      (await loadDataset(fsDatasetReader(path.join(out, 'cats-vs-dogs')), { splits: ['test'] })).splits.test!
        .count,
    ).toBe(2);
  });

  it('a truncated zip with no published hash is caught when it is opened', async () => {
    const whole = zipTree({
      'PetImages/Cat/1.jpg': encodeJpeg(8, 8, [1, 2, 3]),
      'PetImages/Dog/1.jpg': encodeJpeg(8, 8, [3, 2, 1]),
    });
    const cache = fresh('cache');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(cache);
    await writeFile(path.join(cache, 'kagglecatsanddogs_5340.zip'), whole.subarray(0, whole.length - 30));
    const error = await prepareImageArchiveSet(setById('cats-vs-dogs'), {
      out: fresh('out'),
      cacheDir: cache,
    }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /^kagglecatsanddogs_5340\.zip \(.*\): .* is not a readable zip file \(.*\); delete it and prepare cats-vs-dogs again$/,
    );
  });
});
