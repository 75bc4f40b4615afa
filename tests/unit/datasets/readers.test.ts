import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fetchDatasetReader } from '../../../src/core/datasets/fetch-reader';
import { DatasetError, DatasetNotPreparedError, loadDataset } from '../../../src/core/datasets/load';
import type { LoadProgress } from '../../../src/core/datasets/types';
import { datasetsRoot, fsDatasetReader } from '../../../src/cli/datasets/fs-reader';
import { buildTiny, filesOf, serveFiles, tinySplit, writeFiles } from '../../fixtures/datasets/tiny';

const temp = await mkdtemp(path.join(os.tmpdir(), 'cv-lab-readers-'));
afterAll(() => rm(temp, { recursive: true, force: true }));

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('fetchDatasetReader (against a local HTTP server)', () => {
  it('loads a dataset with byte progress', async () => {
    const built = await buildTiny(300, 20, 100);
    const server = await serveFiles(filesOf(built));
    close = server.close;
    const progress: LoadProgress[] = [];
    const dataset = await loadDataset(fetchDatasetReader(`${server.baseUrl}datasets/tiny`), {
      splits: ['train'],
      onProgress: (p) => progress.push(p),
    });
    expect(dataset.splits.train).toEqual(tinySplit(300));
    const shards = [...built.manifest.splits.train.images, ...built.manifest.splits.train.labels];
    const total = shards.reduce((sum, s) => sum + s.bytes, 0);
    expect(progress.every((p) => p.total === total)).toBe(true);
    expect(progress.at(-1)?.loaded).toBe(total);
    // The server sends each file in two parts: progress moves within a file, not only between files.
    expect(
      progress.some((p) => p.file === shards[0].file && p.loaded > 0 && p.loaded < shards[0].bytes),
    ).toBe(true);
    expect(server.requests).not.toContain('test-images-0.bin.gzip');
  });

  it('names a missing shard and says when the dataset is not prepared', async () => {
    const files = filesOf(await buildTiny());
    files.delete('train-images-2.bin.gzip');
    const server = await serveFiles(files);
    close = server.close;
    const missing = await loadDataset(fetchDatasetReader(`${server.baseUrl}tiny/`), {
      splits: ['train'],
    }).catch((e) => e);
    expect(missing).toBeInstanceOf(DatasetError);
    expect(missing.message).toBe('train-images-2.bin.gzip: missing (HTTP 404)');

    files.delete('manifest.json');
    const unprepared = await loadDataset(fetchDatasetReader(`${server.baseUrl}fashion-mnist/`), {
      splits: ['train'],
    }).catch((e) => e);
    expect(unprepared).toBeInstanceOf(DatasetNotPreparedError);
    expect(unprepared.message).toBe(
      "dataset 'fashion-mnist' is not prepared: run `npx cv-lab datasets prepare fashion-mnist`",
    );
  });

  it('names the file when the server cannot be reached', async () => {
    const server = await serveFiles(new Map());
    await server.close();
    const error = await loadDataset(fetchDatasetReader(server.baseUrl), { splits: ['test'] }).catch((e) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.file).toBe('manifest.json');
    expect(error.reason).toMatch(/^could not be fetched from http:\/\/127\.0\.0\.1:\d+\/ /);
  });
});

describe('fsDatasetReader', () => {
  it('reads a prepared folder and names missing files', async () => {
    const folder = path.join(temp, 'tiny');
    const files = filesOf(await buildTiny());
    await writeFiles(folder, files);
    const dataset = await loadDataset(fsDatasetReader(folder), { splits: ['test'] });
    expect(dataset.splits.test?.count).toBe(7);

    await rm(path.join(folder, 'test-labels-0.bin.gzip'));
    const error = await loadDataset(fsDatasetReader(folder), { splits: ['test'] }).catch((e) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toBe('test-labels-0.bin.gzip: missing');
  });

  it('says how to prepare a dataset whose folder or manifest is missing', () => {
    expect(() => fsDatasetReader(path.join(temp, 'fashion-mnist'))).toThrow(
      "dataset 'fashion-mnist' is not prepared: run `npx cv-lab datasets prepare fashion-mnist`",
    );
  });

  it('finds the datasets root from the repository, or from CV_LAB_DATASETS', () => {
    const saved = process.env.CV_LAB_DATASETS;
    try {
      delete process.env.CV_LAB_DATASETS;
      expect(datasetsRoot()).toBe(path.resolve(__dirname, '../../../public/datasets'));
      process.env.CV_LAB_DATASETS = temp;
      expect(datasetsRoot()).toBe(temp);
    } finally {
      if (saved === undefined) delete process.env.CV_LAB_DATASETS;
      else process.env.CV_LAB_DATASETS = saved;
    }
  });
});
