import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/core/datasets/load';
import { CliError } from '../../../src/cli/cli-error';
import { prepareFashionMnist } from '../../../src/cli/datasets/fashion-mnist';
import { fsDatasetReader } from '../../../src/cli/datasets/fs-reader';
import { serveFiles, tinyFashionOriginals, writeFiles } from '../../fixtures/datasets/tiny';
import { runCli } from './cli-helpers';

const temp = await mkdtemp(path.join(os.tmpdir(), 'cv-lab-download-'));
afterAll(() => rm(temp, { recursive: true, force: true }));

const { files, hashes } = tinyFashionOriginals();
let server: Awaited<ReturnType<typeof serveFiles>>;
let served: Map<string, Uint8Array>;
let out: string;
let runs = 0;

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

beforeEach(async () => {
  served = new Map(files);
  server = await serveFiles(served);
  out = path.join(temp, `out-${runs++}`);
});
afterEach(() => server.close());

describe('prepare fashion-mnist: the download path, against a local server', () => {
  it('downloads the four originals, checks their hashes and writes the dataset', async () => {
    const lines: string[] = [];
    const result = await prepareFashionMnist({
      url: server.baseUrl,
      out,
      knownHashes: hashes,
      log: (l) => lines.push(l),
    });
    expect(result).toMatchObject({
      skipped: false,
      source: server.baseUrl,
      folder: path.join(out, 'fashion-mnist'),
    });
    expect([...server.requests].sort()).toEqual([
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
    ]);
    expect(lines.some((l) => l.startsWith(`downloading ${server.baseUrl}train-images-idx3-ubyte.gz`))).toBe(
      true,
    );

    const dataset = await loadDataset(fsDatasetReader(result.folder), { splits: ['train', 'test'] });
    expect(dataset.splits.train?.count).toBe(12);
    expect(dataset.splits.test?.count).toBe(5);
    expect(Array.from(dataset.splits.train!.labels.subarray(0, 3))).toEqual([9, 0, 1]); // (i + 9) % 10
    expect(dataset.splits.train!.images[5]).toBe((5 * 31 + 1) % 256);
    expect(dataset.manifest.imageShape).toEqual([28, 28, 1]);

    // --if-missing: a valid dataset is left alone, and nothing is downloaded.
    const again = await prepareFashionMnist({
      url: server.baseUrl,
      out,
      knownHashes: hashes,
      ifMissing: true,
    });
    expect(again.skipped).toBe(true);
    expect(server.requests).toHaveLength(4);
  });

  it('rejects a download whose hash does not match, naming the file (the real known hashes)', async () => {
    const result = await runCli([
      'datasets',
      'prepare',
      'fashion-mnist',
      '--url',
      server.baseUrl,
      '--out',
      out,
    ]);
    expect(result.code).toBe(2);
    expect(lastLine(result.stderr)).toMatch(
      /^cv-lab: train-images-idx3-ubyte\.gz from http:\/\/127\.0\.0\.1:\d+\/ does not match its known hash \(MD5 [0-9a-f]{32}, expected 8d4fb7e6c68d591d4c3dfef9ec88bf0d;/,
    );
    expect(await readdir(temp)).not.toContain(path.basename(out)); // nothing written
  });

  it('rejects a corrupted download even when the other files pass', async () => {
    const labels = files.get('t10k-labels-idx1-ubyte.gz')!.slice();
    labels[labels.length - 12] ^= 0x10; // inside the deflate data: gunzip or the hashes catch it
    served.set('t10k-labels-idx1-ubyte.gz', labels);
    const error = await prepareFashionMnist({ url: server.baseUrl, out, knownHashes: hashes }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toMatch(
      /^t10k-labels-idx1-ubyte\.gz from http:\/\/127\.0\.0\.1:\d+\/ (is corrupt|does not match)/,
    );
  });

  it('says what to install or download when the download fails', async () => {
    served.delete('train-labels-idx1-ubyte.gz');
    const result = await runCli([
      'datasets',
      'prepare',
      'fashion-mnist',
      '--url',
      server.baseUrl,
      '--out',
      out,
    ]);
    expect(result.code).toBe(2);
    const message = lastLine(result.stderr); // the error is one line, after the progress lines
    expect(message).toMatch(/^cv-lab: /);
    expect(message).toContain(
      `could not download ${server.baseUrl}train-labels-idx1-ubyte.gz (HTTP 404 Not Found)`,
    );
    expect(message).toContain('sudo apt-get install dataset-fashion-mnist');
    expect(message).toContain('http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/');
    expect(message).toContain('npx cv-lab datasets prepare fashion-mnist --from <folder>');

    const closed = await serveFiles(served); // a port nothing listens on any more
    await closed.close();
    const refused = await runCli([
      'datasets',
      'prepare',
      'fashion-mnist',
      '--url',
      closed.baseUrl,
      '--out',
      out,
    ]);
    expect(refused.code).toBe(2);
    expect(lastLine(refused.stderr)).toMatch(
      /^cv-lab: could not download .* \(fetch failed: connect ECONNREFUSED /,
    );
  });

  it('reads the originals from --from, checking them the same way', async () => {
    const from = path.join(temp, `from-${runs}`);
    await writeFiles(from, files);
    const result = await prepareFashionMnist({ from, out, knownHashes: hashes });
    expect(result.source).toBe(from);
    expect(server.requests).toEqual([]);
    expect(result.manifest.splits.test.count).toBe(5);

    const wrong = await runCli(['datasets', 'prepare', 'fashion-mnist', '--from', from, '--out', out]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`train-images-idx3-ubyte.gz from ${from} does not match its known hash`);
  });
});
