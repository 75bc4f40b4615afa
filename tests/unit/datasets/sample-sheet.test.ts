/**
 * The sample sheet (core/datasets/sample-sheet.ts): written with every prepared dataset, it holds
 * the images the galleries and the augmentation preview pick on the whole train split, and the
 * galleries answered from it are the ones the whole split gives.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDatasetFiles } from '../../../src/core/datasets/build';
import { DatasetError, loadDataset, loadSampleSheet } from '../../../src/core/datasets/load';
import { allShards, parseManifest, storedFiles } from '../../../src/core/datasets/manifest';
import {
  SAMPLE_SHEET,
  SAMPLE_SHEET_FILE,
  galleryIndices,
  strikingImages,
} from '../../../src/core/datasets/sample-sheet';
import { ensureSampleSheet, quickCheckDataset, verifySampleSheet } from '../../../src/cli/datasets/prepared';
import { fsDatasetReader } from '../../../src/cli/datasets/fs-reader';
import { runCli } from './cli-helpers';
import { galleryFromSheet, galleryOf, sheetAnswers, sheetImage } from '../../../src/worker/gallery';
import { MARKS_META as META, buildMarks, markedSplit } from '../../fixtures/datasets/marks';
import { filesOf, memoryReader, writeFiles } from '../../fixtures/datasets/tiny';

const build = buildMarks;

/** A gallery answer without where it came from, to compare the two paths. */
function images(answer: ReturnType<typeof galleryOf>) {
  const { source: _source, ...rest } = answer;
  return rest;
}

const temporary: string[] = [];
afterEach(async () => {
  for (const folder of temporary.splice(0)) await rm(folder, { recursive: true, force: true });
});

describe('sample sheet', () => {
  it('holds the first images of each class and the preview’s most striking, each once, in train order', async () => {
    const built = await build(150);
    const sheet = built.manifest.samples!;
    const train = markedSplit(150);
    const firstOfEach = galleryIndices(train.labels, 3, SAMPLE_SHEET.perClass).flat();
    const ranking = strikingImages(train, META.imageShape, SAMPLE_SHEET.scan);
    const expected = [...new Set([...firstOfEach, ...ranking.slice(0, SAMPLE_SHEET.strikingKept)])].sort(
      (a, b) => a - b,
    );
    expect(sheet.images.map((ref) => ref.index)).toEqual(expected);
    expect(sheet.images.every((ref) => ref.label === train.labels[ref.index])).toBe(true);
    expect(sheet.striking.map((ref) => ref.index)).toEqual(ranking);
    expect(sheet).toMatchObject({ file: SAMPLE_SHEET_FILE, perClass: 6, scan: 64, count: expected.length });
    // Listed with the files a copy must hold, outside the dataset's hash (the shards alone).
    expect(storedFiles(built.manifest).map((f) => f.file)).toContain(SAMPLE_SHEET_FILE);
    expect(allShards(built.manifest).map((f) => f.file)).not.toContain(SAMPLE_SHEET_FILE);
    expect(built.files.map((f) => f.name)).toContain(SAMPLE_SHEET_FILE);
    // A few KB against the train split's shards.
    const trainBytes = built.manifest.splits.train.images.reduce((sum, shard) => sum + shard.bytes, 0);
    expect(sheet.bytes).toBeLessThan(trainBytes / 3);
  });

  it('answers every gallery the callers ask for exactly as the whole train split does', async () => {
    for (const trainCount of [150, 40]) {
      const files = filesOf(await build(trainCount));
      const read = memoryReader(files);
      const loaded = await loadDataset(read, { splits: ['train'] });
      const sheet = await loadSampleSheet(read, loaded.manifest);
      // The Datasets page (6), an exercise's brief (3), the augmentation preview (0, scan 64), and less.
      for (const [perClass, scan] of [
        [6, 0],
        [3, 0],
        [0, 64],
        [2, 20],
      ]) {
        expect(sheetAnswers(sheet, perClass, scan)).toBe(true);
        const fromSheet = galleryFromSheet(sheet, perClass, scan);
        expect(fromSheet.source).toBe('sample sheet');
        expect(images(fromSheet)).toEqual(images(galleryOf(loaded, perClass, scan)));
      }
      // The rare class has fewer than six: all of them.
      expect(galleryFromSheet(sheet, 6, 0).classes[2].images.length).toBe(
        loaded.splits.train!.labels.filter((label) => label === 2).length,
      );
      // The preview's candidates are in the sheet, with the split's pixels.
      const size = 256;
      for (const { index } of galleryFromSheet(sheet, 0, 64).striking.slice(0, SAMPLE_SHEET.strikingKept)) {
        expect(sheetImage(sheet, index)).toEqual(
          loaded.splits.train!.images.subarray(index * size, (index + 1) * size),
        );
      }
    }
  });

  it('says when it cannot answer: more images per class or a longer scan than it holds', async () => {
    const read = memoryReader(filesOf(await build(150)));
    const manifest = (await loadDataset(read, { splits: ['train'] })).manifest;
    const sheet = await loadSampleSheet(read, manifest);
    expect(sheetAnswers(sheet, 7, 0)).toBe(false);
    expect(sheetAnswers(sheet, 3, 65)).toBe(false);
    const image = sheet.entry.images.map((ref) => ref.index);
    const absent = [...Array(150).keys()].find((i) => !image.includes(i))!;
    expect(sheetImage(sheet, absent)).toBeUndefined();
    // A split shorter than the scan: the sheet ranks all of it, so any scan is answered.
    const small = memoryReader(filesOf(await build(40)));
    const smallSheet = await loadSampleSheet(
      small,
      (await loadDataset(small, { splits: ['train'] })).manifest,
    );
    expect(sheetAnswers(smallSheet, 6, 500)).toBe(true);
  });

  it('refuses a damaged sheet with an error that names its file', async () => {
    const files = filesOf(await build(150));
    const manifest = parseManifest(new TextDecoder().decode(files.get('manifest.json')));
    const whole = files.get(SAMPLE_SHEET_FILE)!;
    files.set(SAMPLE_SHEET_FILE, whole.subarray(0, whole.length - 10));
    const truncated = await loadSampleSheet(memoryReader(files), manifest).catch((e: unknown) => e);
    expect(truncated).toBeInstanceOf(DatasetError);
    expect((truncated as Error).message).toMatch(/train-samples\.bin\.gzip.*truncated/);
    files.delete(SAMPLE_SHEET_FILE);
    await expect(loadSampleSheet(memoryReader(files), manifest)).rejects.toThrow(/train-samples\.bin\.gzip/);
    // A forged size is refused before anything is read.
    const forged = { ...manifest, samples: { ...manifest.samples!, bytes: 1e9 } };
    await expect(loadSampleSheet(memoryReader(new Map()), forged)).rejects.toThrow(
      /train-samples\.bin\.gzip: declares 1000000000 stored bytes/,
    );
  });

  it('refuses a manifest whose sheet names images the split does not have', async () => {
    const built = await build(40);
    const json = JSON.parse(new TextDecoder().decode(built.files.at(-1)!.bytes));
    json.samples.images[1].index = 99;
    expect(() => parseManifest(JSON.stringify(json))).toThrow(/samples\.images\[1\]\.index/);
    json.samples.images[1].index = json.samples.images[0].index;
    expect(() => parseManifest(JSON.stringify(json))).toThrow(/ascending/);
    // A dataset prepared before sheets still parses: it has none.
    delete json.samples;
    expect(parseManifest(JSON.stringify(json)).samples).toBeUndefined();
  });

  it('prepare --if-missing adds the sheet to a copy prepared before sheets; verify checks it', async () => {
    const built = await build(150);
    const out = await mkdtemp(path.join(tmpdir(), 'cv-lab-sheet-'));
    temporary.push(out);
    // An older copy (any valid dataset does: --if-missing checks the manifest and the shards' sizes).
    const folder = path.join(out, 'fashion-mnist');
    const files = filesOf(built);
    files.delete(SAMPLE_SHEET_FILE);
    const { samples: _samples, ...older } = built.manifest;
    files.set('manifest.json', new TextEncoder().encode(JSON.stringify(older)));
    await writeFiles(folder, files);
    const read = fsDatasetReader(folder);
    expect(await verifySampleSheet(read, await loadDataset(read, { splits: ['train'] }))).toMatch(
      /no sample sheet/,
    );

    const kept = await runCli(['datasets', 'prepare', 'fashion-mnist', '--out', out, '--if-missing']);
    expect(kept.code).toBe(0);
    expect(kept.stderr).toMatch(/already prepared/);
    expect(kept.stderr).toMatch(/fashion-mnist: wrote its sample sheet/);
    expect(await readFile(path.join(folder, SAMPLE_SHEET_FILE))).toEqual(
      Buffer.from(built.files.find((f) => f.name === SAMPLE_SHEET_FILE)!.bytes),
    );
    const reread = await loadDataset(read, { splits: ['train'] });
    expect(reread.manifest.samples).toEqual(built.manifest.samples);
    // The same data: the dataset's hash (reports name it) does not change.
    expect(reread.hash).toBe((await loadDataset(memoryReader(filesOf(built)), { splits: ['train'] })).hash);
    expect(await verifySampleSheet(read, reread)).toMatch(/sample sheet of \d+ images/);
    const verified = await runCli(['datasets', 'verify', 'fashion-mnist', '--root', out]);
    expect(verified.stdout).toMatch(/; sample sheet of \d+ images\)/);
    // Done once: the next setup leaves it.
    const again = await runCli(['datasets', 'prepare', 'fashion-mnist', '--out', out, '--if-missing']);
    expect(again.stderr).not.toMatch(/sample sheet/);
    expect((await ensureSampleSheet(folder, reread.manifest)).added).toBe(false);

    // A sheet file of the wrong size is written again.
    await writeFile(path.join(folder, SAMPLE_SHEET_FILE), 'broken');
    expect((await quickCheckDataset(folder)).ok).toBe(true);
    expect((await ensureSampleSheet(folder, reread.manifest)).added).toBe(true);
    expect((await stat(path.join(folder, SAMPLE_SHEET_FILE))).size).toBe(built.manifest.samples!.bytes);
  });

  it('verify refuses a sheet that does not hold what the train split gives', async () => {
    const built = await build(150);
    // Another split's sheet, with its own valid hash, is not this one's.
    const other = await buildDatasetFiles(META, { train: markedSplit(150, 1), test: markedSplit(10) });
    const files = filesOf(built);
    const otherSheet = other.files.find((f) => f.name === SAMPLE_SHEET_FILE)!.bytes;
    files.set(SAMPLE_SHEET_FILE, otherSheet);
    files.set(
      'manifest.json',
      new TextEncoder().encode(JSON.stringify({ ...built.manifest, samples: other.manifest.samples })),
    );
    const read = memoryReader(files);
    const loaded = await loadDataset(read, { splits: ['train'] });
    await expect(verifySampleSheet(read, loaded)).rejects.toThrow(
      /train-samples\.bin\.gzip.*prepare the dataset again/,
    );
  });
});
