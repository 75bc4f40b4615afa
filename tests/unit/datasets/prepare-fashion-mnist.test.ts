import { readdir, stat, writeFile, readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/core/datasets/load';
import { fsDatasetReader } from '../../../src/cli/datasets/fs-reader';
import { runCli } from './cli-helpers';

const out = await mkdtemp(path.join(os.tmpdir(), 'cv-lab-fmnist-'));
afterAll(() => rm(out, { recursive: true, force: true }));

describe('cv-lab datasets prepare fashion-mnist (the real Debian files)', () => {
  it('writes 60,000 train and 10,000 test images that load, list and verify; --if-missing keeps them', async () => {
    const prepared = await runCli(['datasets', 'prepare', 'fashion-mnist', '--out', out]);
    expect(prepared.stderr).toContain('/usr/share/datasets/fashion-mnist');
    expect(prepared).toMatchObject({ code: 0 });
    expect(prepared.stdout).toContain('60,000 train, 10,000 test images');

    const folder = path.join(out, 'fashion-mnist');
    expect((await readdir(out)).filter((name) => name.startsWith('.'))).toEqual([]); // no temp folder left
    const dataset = await loadDataset(fsDatasetReader(folder), { splits: ['train', 'test'] });
    const { manifest, splits } = dataset;
    expect(manifest.classNames).toEqual([
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
    ]);
    expect(manifest.imageShape).toEqual([28, 28, 1]);
    expect(manifest.splits.train.images).toHaveLength(6);
    expect(splits.train?.count).toBe(60_000);
    expect(splits.test?.count).toBe(10_000);
    // Known values of the originals: the first training image is an ankle boot whose pixel 100
    // (row 3, column 16) is 73 and whose pixels sum to 76,247; the test split starts 9, 2, 1, 1.
    expect(manifest.classNames[splits.train!.labels[0]]).toBe('Ankle boot');
    expect(Array.from(splits.train!.labels.subarray(0, 6))).toEqual([9, 0, 0, 3, 0, 2]);
    expect(splits.train!.images[100]).toBe(73);
    expect(splits.train!.images.subarray(0, 784).reduce((a, b) => a + b, 0)).toBe(76_247);
    expect(Array.from(splits.test!.labels.subarray(0, 4))).toEqual([9, 2, 1, 1]);
    const perClass = new Array(10).fill(0);
    splits.train!.labels.forEach((label) => perClass[label]++);
    expect(perClass).toEqual(new Array(10).fill(6000));

    const manifestStat = await stat(path.join(folder, 'manifest.json'));
    const again = await runCli(['datasets', 'prepare', 'fashion-mnist', '--out', out, '--if-missing']);
    expect(again).toMatchObject({ code: 0, stdout: '' });
    expect(again.stderr).toContain('fashion-mnist is already prepared');
    expect((await stat(path.join(folder, 'manifest.json'))).mtimeMs).toBe(manifestStat.mtimeMs);

    const listed = await runCli(['datasets', 'list', '--root', out]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /^fashion-mnist\tFashion-MNIST\t60,000 train\t10,000 test\t10 classes\t28×28×1\t3\d\.\d MB\n$/,
    );

    const verified = await runCli(['datasets', 'verify', 'fashion-mnist', '--root', out]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toBe(
      `fashion-mnist: OK (60,000 train, 10,000 test images; dataset hash ${dataset.hash}; sample sheet of ${dataset.manifest.samples!.count} images)\n`,
    );

    // A damaged shard: verify names it, and --if-missing (which only checks sizes) still sees a
    // complete dataset while a truncated one is prepared again.
    const shard = path.join(folder, 'train-images-3.bin.gzip');
    const bytes = await readFile(shard);
    bytes[1000] ^= 0x01;
    await writeFile(shard, bytes);
    const damaged = await runCli(['datasets', 'verify', 'fashion-mnist', '--root', out]);
    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toMatch(/^cv-lab: fashion-mnist: train-images-3\.bin\.gzip: corrupt: SHA-256 is /);

    await writeFile(shard, bytes.subarray(0, 100));
    const repaired = await runCli(['datasets', 'prepare', 'fashion-mnist', '--out', out, '--if-missing']);
    expect(repaired.code).toBe(0);
    expect(repaired.stderr).toContain('train-images-3.bin.gzip: 100 bytes, the manifest says');
    expect((await runCli(['datasets', 'verify', 'fashion-mnist', '--root', out])).code).toBe(0);
  });
});
