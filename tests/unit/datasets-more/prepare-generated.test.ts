import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/core/datasets/load';
import { prepareGeneratedDataset } from '../../../src/cli/datasets/generated-sets';
import { fsDatasetReader } from '../../../src/cli/datasets/fs-reader';
import { runCli } from '../datasets/cli-helpers';

const out = await mkdtemp(path.join(os.tmpdir(), 'cv-lab-generated-'));
afterAll(() => rm(out, { recursive: true, force: true }));

describe('cv-lab datasets prepare shapes | surface-defects | surface-defects-binary', () => {
  it('writes shapes that load, and --if-missing keeps them only while they were made the same way', async () => {
    const lines: string[] = [];
    const result = await prepareGeneratedDataset('shapes', {
      out,
      trainCount: 60,
      testCount: 18,
      log: (l) => lines.push(l),
    });
    expect(result.skipped).toBe(false);
    expect(lines[0]).toBe('generating shapes: 60 train and 18 test images of 64×64×3, seed 1');
    const dataset = await loadDataset(fsDatasetReader(result.folder), { splits: ['train', 'test'] });
    expect(dataset.manifest.classNames).toEqual(['circle', 'square', 'triangle', 'star', 'cross', 'ring']);
    expect(dataset.manifest.imageShape).toEqual([64, 64, 3]);
    expect(dataset.splits.train?.count).toBe(60);
    expect(dataset.splits.test?.count).toBe(18);
    expect(dataset.manifest.source).toContain('seed 1, 64×64, 60 train and 18 test images');

    const same = await prepareGeneratedDataset('shapes', {
      out,
      trainCount: 60,
      testCount: 18,
      ifMissing: true,
    });
    expect(same.skipped).toBe(true);
    const reseeded = await prepareGeneratedDataset('shapes', {
      out,
      trainCount: 60,
      testCount: 18,
      ifMissing: true,
      seed: 2,
    });
    expect(reseeded.skipped).toBe(false);
    expect(reseeded.manifest.source).toContain('seed 2');
  });

  it('prepares surface-defects and its binary view through the CLI, the same images relabelled', async () => {
    const multi = await runCli(['datasets', 'prepare', 'surface-defects', '--out', out, '--size', '48x48']);
    expect(multi).toMatchObject({ code: 0 });
    expect(multi.stdout).toBe(
      `prepared surface-defects in ${path.join(out, 'surface-defects')}: 480 train, 600 test images\n`,
    );
    const binary = await runCli([
      'datasets',
      'prepare',
      'surface-defects-binary',
      '--out',
      out,
      '--size',
      '48',
    ]);
    expect(binary.code).toBe(0);

    const a = await loadDataset(fsDatasetReader(path.join(out, 'surface-defects')), {
      splits: ['train', 'test'],
    });
    const b = await loadDataset(fsDatasetReader(path.join(out, 'surface-defects-binary')), {
      splits: ['train', 'test'],
    });
    expect(a.manifest.classNames).toEqual(['clean', 'scratch', 'pit', 'crack', 'stain']);
    expect(b.manifest.classNames).toEqual(['ok', 'defect']);
    expect(a.manifest.imageShape).toEqual([48, 48, 1]);
    for (const split of ['train', 'test'] as const) {
      expect(b.splits[split]!.images).toEqual(a.splits[split]!.images);
      expect(Array.from(b.splits[split]!.labels)).toEqual(
        Array.from(a.splits[split]!.labels, (l) => (l === 0 ? 0 : 1)),
      );
    }
    expect(a.hash).not.toBe(b.hash);
    expect((await readdir(out)).filter((name) => name.startsWith('.'))).toEqual([]);

    const again = await runCli([
      'datasets',
      'prepare',
      'surface-defects',
      '--out',
      out,
      '--size',
      '48x48',
      '--if-missing',
    ]);
    expect(again).toMatchObject({ code: 0, stdout: '' });
    expect(again.stderr).toContain('surface-defects is already prepared');
  });

  it('refuses bad options and unknown ids with a message', async () => {
    const wrongSize = await runCli(['datasets', 'prepare', 'shapes', '--out', out, '--size', '64x32']);
    expect(wrongSize.code).toBe(2);
    expect(wrongSize.stderr).toContain('shapes images are square: --size 64x32 is not');
    const garbage = await runCli(['datasets', 'prepare', 'shapes', '--out', out, '--size', 'big']);
    expect(garbage.stderr).toContain("--size 'big' is not HxW");
    const unknown = await runCli(['datasets', 'prepare', 'cifar-10', '--out', out]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      "cannot prepare 'cifar-10': the datasets cv-lab can prepare are fashion-mnist, shapes, surface-defects, surface-defects-binary, symbols, novel-symbols, mnist, rock-paper-scissors, horses-or-humans, cats-vs-dogs",
    );
  });
});
