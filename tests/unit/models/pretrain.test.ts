/**
 * `cv-lab models pretrain`: a run resumed after its first phase (`--resume`) gives the very weights
 * of a run straight through, and a checkpoint from another point or recipe is refused.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareGeneratedDataset } from '../../../src/cli/datasets/generated-sets';
import { SYMBOLS_MOBILENET_ID } from '../../../src/core/models/registry';
import { runCli } from '../datasets/cli-helpers';

let work: string;
const previousDatasets = process.env.CV_LAB_DATASETS;
// A tiny run of the real recipe: 40 training images, one epoch per phase.
const tiny = ['--train-count', '40', '--epochs', '1'];

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cv-lab-pretrain-'));
  process.env.CV_LAB_DATASETS = path.join(work, 'datasets');
  await prepareGeneratedDataset('symbols', {
    out: process.env.CV_LAB_DATASETS,
    trainCount: 40,
    testCount: 20,
  });
}, 60_000);

afterAll(async () => {
  if (previousDatasets === undefined) delete process.env.CV_LAB_DATASETS;
  else process.env.CV_LAB_DATASETS = previousDatasets;
  await rm(work, { recursive: true, force: true });
});

const pretrain = (out: string, ...more: string[]) =>
  runCli(['models', 'pretrain', SYMBOLS_MOBILENET_ID, '--out', path.join(work, out), ...tiny, ...more]);
const file = (out: string, name: string) => readFile(path.join(work, out, SYMBOLS_MOBILENET_ID, name));

describe('models pretrain --resume', () => {
  it('continues the annealing phase from a first-phase checkpoint to the same weights', async () => {
    expect((await pretrain('straight', '--anneal-epochs', '1')).code).toBe(0);
    expect((await pretrain('phase-one', '--anneal-epochs', '0')).code).toBe(0);
    await cp(path.join(work, 'phase-one', SYMBOLS_MOBILENET_ID), path.join(work, 'checkpoint'), {
      recursive: true,
    });
    const resumed = await pretrain(
      'resumed',
      '--anneal-epochs',
      '1',
      '--resume',
      path.join(work, 'checkpoint'),
    );
    expect(resumed.code).toBe(0);

    expect(await file('resumed', 'weights.bin')).toEqual(await file('straight', 'weights.bin'));
    const provenance = JSON.parse((await file('resumed', 'provenance.json')).toString('utf8'));
    expect(provenance.recipe).toMatchObject({ epochs: 1, annealEpochs: 1, trainCount: 40 });
    expect(provenance.history).toHaveLength(2);
    expect(provenance.resumedFrom).toContain('checkpoint');
  }, 180_000);

  it('refuses a checkpoint that does not end where the first phase does, or another recipe', async () => {
    const later = await pretrain('refused', '--epochs', '2', '--resume', path.join(work, 'checkpoint'));
    expect(later.code).not.toBe(0);
    expect(later.stderr).toContain("it ends after epoch 1, the recipe's first phase after epoch 2");
    const other = await pretrain(
      'refused',
      '--learning-rate',
      '0.01',
      '--resume',
      path.join(work, 'checkpoint'),
    );
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('trained by another recipe (learningRate differ)');
  }, 60_000);
});
