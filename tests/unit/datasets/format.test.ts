import { describe, expect, it } from 'vitest';
import { DatasetError, datasetHash, loadDataset } from '../../../src/core/datasets/load';
import { parseManifest } from '../../../src/core/datasets/manifest';
import { sha256Hex } from '../../../src/core/shared/bytes';
import type { LoadProgress } from '../../../src/core/datasets/types';
import { buildTiny, filesOf, memoryReader, tinySplit, TINY_META } from '../../fixtures/datasets/tiny';

/** Loads damaged files and returns the DatasetError (failing the test if none is thrown). */
async function loadError(files: Map<string, Uint8Array>): Promise<DatasetError> {
  const error = await loadDataset(memoryReader(files), { splits: ['train', 'test'] }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return error as DatasetError;
}

describe('dataset format: build and load', () => {
  it('loads back exactly what was built, shard by shard', async () => {
    const built = await buildTiny(25, 7, 10);
    expect(built.manifest.splits.train.images.map((s) => [s.file, s.count])).toEqual([
      ['train-images-0.bin.gzip', 10],
      ['train-images-1.bin.gzip', 10],
      ['train-images-2.bin.gzip', 5],
    ]);
    expect(built.files.at(-1)?.name).toBe('manifest.json');

    const progress: LoadProgress[] = [];
    const loaded = await loadDataset(memoryReader(filesOf(built)), {
      splits: ['train', 'test'],
      onProgress: (p) => progress.push(p),
    });
    expect(loaded.manifest).toEqual(built.manifest);
    expect(loaded.splits.train).toEqual(tinySplit(25));
    expect(loaded.splits.test).toEqual(tinySplit(7, TINY_META, 1000));
    expect(loaded.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.hash).toBe(await datasetHash(built.manifest));

    const total = built.files
      .filter((f) => !['manifest.json', 'train-samples.bin.gzip'].includes(f.name))
      .reduce((s, f) => s + f.bytes.length, 0);
    expect(progress.at(-1)).toMatchObject({ loaded: total, total });
    expect(progress.every((p, i) => i === 0 || p.loaded >= progress[i - 1].loaded)).toBe(true);
  });

  it('reads only the splits asked for, with the same dataset hash', async () => {
    const built = await buildTiny();
    const files = filesOf(built);
    const all = await loadDataset(memoryReader(files), { splits: ['train', 'test'] });
    files.delete('test-images-0.bin.gzip'); // never read when only train is asked for
    const trainOnly = await loadDataset(memoryReader(files), { splits: ['train'] });
    expect(trainOnly.splits.test).toBeUndefined();
    expect(trainOnly.splits.train?.count).toBe(25);
    expect(trainOnly.hash).toBe(all.hash);
  });

  it('names a missing shard', async () => {
    const files = filesOf(await buildTiny());
    files.delete('train-images-1.bin.gzip');
    const error = await loadError(files);
    expect(error.file).toBe('train-images-1.bin.gzip');
    expect(error.message).toMatch(/^train-images-1\.bin\.gzip: could not be read \(ENOENT/);
  });

  it('names a truncated shard', async () => {
    const files = filesOf(await buildTiny());
    const shard = files.get('train-labels-0.bin.gzip')!;
    files.set('train-labels-0.bin.gzip', shard.subarray(0, shard.length - 5));
    const error = await loadError(files);
    expect(error.file).toBe('train-labels-0.bin.gzip');
    expect(error.reason).toBe(`truncated: ${shard.length - 5} of ${shard.length} bytes`);
  });

  it('names a shard with a flipped byte (hash mismatch)', async () => {
    const built = await buildTiny();
    const files = filesOf(built);
    const shard = files.get('test-images-0.bin.gzip')!.slice();
    shard[20] ^= 0xff;
    files.set('test-images-0.bin.gzip', shard);
    const error = await loadError(files);
    expect(error.file).toBe('test-images-0.bin.gzip');
    expect(error.reason).toMatch(/^corrupt: SHA-256 is [0-9a-f]{64}, the manifest says /);
    expect(error.reason).toContain(built.manifest.splits.test.images[0].sha256);
  });

  it('rejects a shard that is too long', async () => {
    const files = filesOf(await buildTiny());
    const shard = files.get('train-images-0.bin.gzip')!;
    files.set('train-images-0.bin.gzip', new Uint8Array([...shard, 0]));
    const error = await loadError(files);
    expect(error.reason).toBe(`wrong size: ${shard.length + 1} bytes, the manifest says ${shard.length}`);
  });

  it('rejects a shard whose hash matches but whose contents do not decode to its count', async () => {
    // A hand-edited manifest: right size and hash, wrong count (the data is 5 images, not 4).
    const built = await buildTiny(25, 7, 10);
    const manifest = structuredClone(built.manifest);
    manifest.splits.train.images[2].count = 4;
    manifest.splits.train.images[1].count = 11;
    const files = filesOf(built);
    files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
    const error = await loadError(files);
    expect(error.file).toBe('train-images-1.bin.gzip');
    expect(error.reason).toBe('corrupt: decodes to 60 bytes, expected 66 (11 × 6)');
  });

  it('rejects a shard that is not gzip even when the manifest vouches for it', async () => {
    const built = await buildTiny();
    const files = filesOf(built);
    const garbage = new TextEncoder().encode('this is not gzip data');
    files.set('test-labels-0.bin.gzip', garbage);
    const manifest = structuredClone(built.manifest);
    Object.assign(manifest.splits.test.labels[0], {
      bytes: garbage.length,
      sha256: await sha256Hex(garbage),
    });
    files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
    const error = await loadError(files);
    expect(error.file).toBe('test-labels-0.bin.gzip');
    expect(error.reason).toMatch(/^corrupt: not a valid gzip file/);
  });

  it('reports a missing manifest, bad JSON and a wrong field by name', async () => {
    const files = filesOf(await buildTiny());
    const manifestText = new TextDecoder().decode(files.get('manifest.json'));

    files.delete('manifest.json');
    expect((await loadError(files)).file).toBe('manifest.json');

    files.set('manifest.json', new TextEncoder().encode(manifestText.slice(0, 50)));
    const badJson = await loadError(files);
    expect(badJson.file).toBe('manifest.json');
    expect(badJson.reason).toMatch(/^not valid JSON/);

    const wrong = JSON.parse(manifestText);
    wrong.splits.train.images[1].sha256 = 'xyz';
    files.set('manifest.json', new TextEncoder().encode(JSON.stringify(wrong)));
    expect((await loadError(files)).reason).toBe(
      'invalid manifest: splits.train.images[1].sha256: 64 lower-case hex digits',
    );
  });

  it('validates the manifest: format, counts, shapes and file names', () => {
    const valid = JSON.parse(JSON.stringify({ ...TINY_META, format: 'cv-lab-dataset', version: 1 }));
    const shard = { file: 'a.bin.gzip', bytes: 10, sha256: 'a'.repeat(64), count: 2 };
    const split = { count: 2, images: [shard], labels: [{ ...shard, file: 'b.bin.gzip' }] };
    const test = {
      count: 2,
      images: [{ ...shard, file: 'c.bin.gzip' }],
      labels: [{ ...shard, file: 'd.bin.gzip' }],
    };
    const good = { ...valid, splits: { train: split, test } };
    expect(parseManifest(JSON.stringify(good)).id).toBe('tiny');

    const reason = (edit: (m: typeof good) => unknown) => {
      const copy = structuredClone(good);
      edit(copy);
      try {
        parseManifest(JSON.stringify(copy));
      } catch (error) {
        return (error as DatasetError).reason;
      }
      return 'no error';
    };
    expect(reason((m) => (m.version = 2))).toMatch(/^invalid manifest: version: /);
    expect(reason((m) => (m.format = 'other'))).toMatch(/^invalid manifest: format: /);
    expect(reason((m) => (m.imageShape = [28, 28]))).toMatch(/^invalid manifest: imageShape/);
    expect(reason((m) => (m.splits.train.count = 3))).toBe(
      "invalid manifest: splits.train.images: the images shards hold 2 items but the split's count is 3; " +
        "splits.train.labels: the labels shards hold 2 items but the split's count is 3",
    );
    expect(reason((m) => (m.splits.test.images[0].file = '../etc/passwd'))).toMatch(
      /^invalid manifest: splits\.test\.images\[0\]\.file: a plain file name/,
    );
    expect(reason((m) => (m.splits.test.images[0].file = 'a.bin.gzip'))).toBe(
      "invalid manifest: splits.test.images[0].file: 'a.bin.gzip' is listed twice",
    );
  });

  it('rejects labels outside the class list, naming the label shard', async () => {
    const split = tinySplit(4);
    const built = await buildTiny();
    // Build a dataset with 3 classes, then claim only 2 in the manifest.
    const manifest = structuredClone(built.manifest);
    manifest.classNames = ['zero', 'one'];
    delete manifest.samples; // its labels name class 2 too, which the manifest itself refuses
    const files = filesOf(built);
    files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
    const error = await loadError(files);
    expect(split.labels[2]).toBe(2);
    expect(error.file).toBe('train-labels-0.bin.gzip');
    expect(error.reason).toBe('corrupt: label 2 at index 2 is not one of the 2 classes');
  });
});
