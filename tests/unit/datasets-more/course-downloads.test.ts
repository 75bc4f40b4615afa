/**
 * The course's datasets, downloaded from a local server serving tiny fixture zips: the download
 * says its size and progress, checks the SHA-256, resumes an interrupted download, reuses the
 * cache offline; cats-vs-dogs-filtered reads its train/ and validation/ folders from one zip.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { downloadToFile } from '../../../src/cli/datasets/archive-download';
import { progressLog } from '../../../src/cli/datasets/download';
import { fsDatasetReader } from '../../../src/cli/datasets/fs-reader';
import { IMAGE_ARCHIVE_SETS, prepareImageArchiveSet } from '../../../src/cli/datasets/image-archive-sets';
import { loadDataset } from '../../../src/core/datasets/load';
import { fetchDatasetReader } from '../../../src/core/datasets/fetch-reader';
import { DatasetNotPreparedError } from '../../../src/core/datasets/errors';
import { DOWNLOADABLE_DATASETS } from '../../../src/core/datasets/downloads';
import { encodeJpeg, serveArchives, zipTree } from '../../fixtures/datasets-more/images';

const temp = await mkdtemp(path.join(os.tmpdir(), 'cv-lab-course-downloads-'));
afterAll(() => rm(temp, { recursive: true, force: true }));
let runs = 0;
const fresh = (name: string) => path.join(temp, `${name}-${runs++}`);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const filtered = IMAGE_ARCHIVE_SETS.find((s) => s.id === 'cats-vs-dogs-filtered')!;

let server: Awaited<ReturnType<typeof serveArchives>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The course's cats_and_dogs_filtered.zip in miniature: train 3 + 3, validation 2 + 2 photos. */
function filteredZip(catColour: [number, number, number] = [200, 150, 100]): Uint8Array {
  const tree: Record<string, Uint8Array | string> = { 'cats_and_dogs_filtered/vectorize.py': 'print(1)\n' };
  for (const [split, n] of [
    ['train', 3],
    ['validation', 2],
  ] as const) {
    for (let i = 0; i < n; i++) {
      tree[`cats_and_dogs_filtered/${split}/cats/cat.${i}.jpg`] = encodeJpeg(20, 16, catColour);
      tree[`cats_and_dogs_filtered/${split}/dogs/dog.${i}.jpg`] = encodeJpeg(16, 20, [40, 60, 90]);
    }
  }
  return zipTree(tree);
}

describe('progress', () => {
  it('logs each tenth reached, once, with the total', () => {
    const lines: string[] = [];
    const progress = progressLog(2_000_000, (l) => lines.push(l));
    for (const loaded of [100_000, 250_000, 260_000, 1_500_000, 2_000_000]) progress(loaded);
    expect(lines).toEqual(['  12% of 2.0 MB', '  75% of 2.0 MB']);
  });

  it('streams a file to disk in pieces, logging its size and how far it got', async () => {
    const body = new Uint8Array(256_000).map((_, i) => (i * 7) % 251);
    const slow = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': body.length });
      let sent = 0;
      const next = () => {
        if (sent >= body.length) return void res.end();
        res.write(body.subarray(sent, sent + 32_000), () => setTimeout(next, 5));
        sent += 32_000;
      };
      next();
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/big.zip`;
    const lines: string[] = [];
    const file = fresh('big.zip.part');
    try {
      const result = await downloadToFile(url, file, (l) => lines.push(l));
      expect(result).toEqual({ sha256: sha256(body), bytes: body.length, resumedAt: 0 });
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
    expect(lines[0]).toBe(`downloading ${url} (256 kB)`);
    const percents = lines.slice(1).map((l) => Number(/^ {2}(\d+)% of 256 kB$/.exec(l)?.[1]));
    expect(percents.length).toBeGreaterThan(0);
    expect(percents.every((p) => p > 0 && p < 100)).toBe(true);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);
  });
});

describe('cats-vs-dogs-filtered (one zip, train/ and validation/)', () => {
  it('downloads once, trusts on first use, reads both folders, then works offline from the cache', async () => {
    const files = new Map([['cats_and_dogs_filtered.zip', filteredZip()]]);
    server = await serveArchives(files);
    const out = fresh('out');
    const cacheDir = fresh('cache');
    const lines: string[] = [];
    const result = await prepareImageArchiveSet(filtered, {
      url: server.baseUrl,
      out,
      cacheDir,
      size: [8, 8],
      log: (l) => lines.push(l),
    });
    expect(server.requests).toEqual(['cats_and_dogs_filtered.zip']);
    const zipBytes = files.get('cats_and_dogs_filtered.zip')!;
    expect(lines).toContain(
      `downloading ${server.baseUrl}cats_and_dogs_filtered.zip (${Math.ceil(zipBytes.length / 1e3)} kB)`,
    );
    expect(lines).toContain('reading cats_and_dogs_filtered.zip, train/');
    expect(lines).toContain('reading cats_and_dogs_filtered.zip, validation/');
    const dataset = await loadDataset(fsDatasetReader(result.folder), { splits: ['train', 'test'] });
    expect(dataset.manifest.classNames).toEqual(['cats', 'dogs']);
    expect(dataset.splits.train!.count).toBe(6);
    expect(dataset.splits.test!.count).toBe(4);
    const digest = sha256(zipBytes);
    expect(dataset.manifest.source).toBe(
      `https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip: cats_and_dogs_filtered.zip (sha256 ${digest}, recorded on first use)`,
    );

    // Offline: no server; the cached zip is checked against the recorded hash and used.
    await server.close();
    server = undefined;
    const offline: string[] = [];
    await prepareImageArchiveSet(filtered, {
      url: 'http://127.0.0.1:9/',
      out,
      cacheDir,
      size: [8, 8],
      log: (l) => offline.push(l),
    });
    expect(offline).toContain(`using the downloaded cats_and_dogs_filtered.zip in ${cacheDir}`);
  });

  it('resumes an interrupted download where it stopped and checks the whole file', async () => {
    const zip = filteredZip();
    const files = new Map([['cats_and_dogs_filtered.zip', zip]]);
    server = await serveArchives(files, new Set(['cats_and_dogs_filtered.zip']));
    const cacheDir = fresh('cache');
    const options = { out: fresh('out'), cacheDir, size: [8, 8] as [number, number] };
    const cut = await prepareImageArchiveSet(filtered, { ...options, url: server.baseUrl }).catch(
      (e: Error) => e,
    );
    expect((cut as Error).message).toMatch(
      /arrived and are kept in .*: run the same command again to resume/,
    );
    const part = path.join(cacheDir, 'cats_and_dogs_filtered.zip.part');
    const kept = (await stat(part)).size;
    expect(kept).toBe(Math.floor(zip.length / 2));

    await server.close();
    server = await serveArchives(files);
    const lines: string[] = [];
    const hashes = { 'cats_and_dogs_filtered.zip': sha256(zip) };
    await prepareImageArchiveSet(filtered, {
      ...options,
      url: server.baseUrl,
      hashes,
      log: (l) => lines.push(l),
    });
    expect(server.ranges).toEqual([`cats_and_dogs_filtered.zip bytes=${kept}-`]);
    expect(lines.some((l) => l.startsWith(`resuming ${server!.baseUrl}cats_and_dogs_filtered.zip at `))).toBe(
      true,
    );
    expect(new Uint8Array(await readFile(path.join(cacheDir, 'cats_and_dogs_filtered.zip')))).toEqual(zip);
    expect(existsSync(part)).toBe(false);
  });

  it('refuses a resumed file whose whole does not match the expected SHA-256, keeping nothing', async () => {
    const original = filteredZip();
    const files = new Map([['cats_and_dogs_filtered.zip', original]]);
    server = await serveArchives(files, new Set(['cats_and_dogs_filtered.zip']));
    const cacheDir = fresh('cache');
    const options = { out: fresh('out'), cacheDir, size: [8, 8] as [number, number] };
    await prepareImageArchiveSet(filtered, { ...options, url: server.baseUrl }).catch(() => undefined);
    await server.close();
    // The server's file changed meanwhile (same length, other pixels): the joined file is neither.
    const changed = filteredZip([10, 20, 30]);
    server = await serveArchives(new Map([['cats_and_dogs_filtered.zip', changed]]));
    const error = await prepareImageArchiveSet(filtered, {
      ...options,
      url: server.baseUrl,
      hashes: { 'cats_and_dogs_filtered.zip': sha256(original) },
    }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /^cats_and_dogs_filtered\.zip from .* does not match its published SHA-256 [0-9a-f]{64}: its SHA-256 is [0-9a-f]{64}/,
    );
    expect(existsSync(path.join(cacheDir, 'cats_and_dogs_filtered.zip.part'))).toBe(false);
    expect(existsSync(path.join(cacheDir, 'cats_and_dogs_filtered.zip'))).toBe(false);
  });
});

describe('what an absent dataset says', () => {
  it('in the page: a server that answers with its app page instead of a manifest has no such dataset', async () => {
    const spa = createServer((_req, res) => {
      res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
        .end('<!doctype html><title>CV Lab</title>');
    });
    await new Promise<void>((resolve) => spa.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(spa.address() as AddressInfo).port}/datasets/horses-or-humans/`;
      const error = await loadDataset(fetchDatasetReader(base), { splits: ['test'] }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DatasetNotPreparedError);
      expect((error as Error).message).toBe(
        "dataset 'horses-or-humans' is not prepared: run `npx cv-lab datasets prepare horses-or-humans` (downloads 161 MB once)",
      );
    } finally {
      spa.closeAllConnections();
      await new Promise((resolve) => spa.close(resolve));
    }
  });

  it('names the command and the download size of each course dataset', () => {
    expect(new DatasetNotPreparedError('horses-or-humans').message).toBe(
      "dataset 'horses-or-humans' is not prepared: run `npx cv-lab datasets prepare horses-or-humans` (downloads 161 MB once)",
    );
    expect(new DatasetNotPreparedError('cats-vs-dogs-filtered').message).toContain('(downloads 69 MB once)');
    expect(new DatasetNotPreparedError('rock-paper-scissors').message).toContain('(downloads 230 MB once)');
    // Every downloadable dataset is one the CLI can prepare, and the other way round.
    expect(DOWNLOADABLE_DATASETS.map((d) => d.id).sort()).toEqual(IMAGE_ARCHIVE_SETS.map((s) => s.id).sort());
    for (const set of IMAGE_ARCHIVE_SETS) {
      const files = [set.train.file, ...(set.test ? [set.test.file] : [])];
      const listed = DOWNLOADABLE_DATASETS.find((d) => d.id === set.id)!.archives.map((a) => a.file);
      expect(listed.sort()).toEqual([...new Set(files)].sort());
    }
  });
});
