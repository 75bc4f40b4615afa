import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/core/datasets/load';
import { mulberry32, shuffledIndices } from '../../../src/core/shared/shuffle';
import { toLabDataset, toTestTensors } from '../../../src/core/datasets/tensors';
import type { LabDataset, LabSplit } from '../../../src/core/datasets/lab-data';
import type { LoadedDataset } from '../../../src/core/datasets/types';
import { buildTiny, filesOf, memoryReader } from '../../fixtures/datasets/tiny';

let dataset: LoadedDataset;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dataset = await loadDataset(memoryReader(filesOf(await buildTiny(40, 9, 16))), {
    splits: ['train', 'test'],
  });
});

/** Pixel 0 of tiny image i is i, so it names the image. */
function imageIds(split: LabSplit): number[] {
  const pixels = split.xs.dataSync();
  const perImage = 6;
  return Array.from({ length: split.count }, (_, k) => Math.round(pixels[k * perImage] * 255));
}

function disposeLab(lab: LabDataset) {
  for (const split of [lab.train, lab.validation]) {
    if (split) tf.dispose([split.xs, split.ys, split.labels]);
  }
}

describe('toLabDataset', () => {
  it('scales pixels to [0, 1], one-hot encodes labels and holds out the validation fraction', () => {
    const before = tf.memory().numTensors;
    const lab = toLabDataset(tf, dataset, { validationSplit: 0.25 });
    expect(tf.memory().numTensors - before).toBe(6); // xs, ys, labels for train and validation: nothing else
    expect(lab.classNames).toEqual(['zero', 'one', 'two']);
    expect(lab.imageShape).toEqual([2, 3, 1]);
    expect(lab.train.count).toBe(30);
    expect(lab.validation?.count).toBe(10);
    expect(lab.train.xs.shape).toEqual([30, 2, 3, 1]);
    expect(lab.train.xs.dtype).toBe('float32');
    expect(lab.train.ys.shape).toEqual([30, 3]);
    expect(lab.train.labels.shape).toEqual([30]);
    expect(lab.train.labels.dtype).toBe('int32');

    const xs = lab.train.xs.dataSync();
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(1);
    // Every pixel and label matches its source image, whatever the shuffle did.
    const ids = imageIds(lab.train);
    const labels = lab.train.labels.dataSync();
    const ys = lab.train.ys.arraySync();
    ids.forEach((id, k) => {
      expect(Number.isInteger(id)).toBe(true);
      expect(xs[k * 6 + 5]).toBeCloseTo(((id + 15) % 256) / 255, 6);
      expect(labels[k]).toBe(id % 3);
      expect(ys[k]).toEqual([0, 1, 2].map((c) => (c === id % 3 ? 1 : 0)));
    });
    // Train and validation together are all 40 images, each once, in a shuffled order.
    const all = [...ids, ...imageIds(lab.validation!)];
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(all).not.toEqual(Array.from({ length: 40 }, (_, i) => i));
    disposeLab(lab);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the same split for the same seed and a different one for another seed', () => {
    const a = toLabDataset(tf, dataset, { validationSplit: 0.2, seed: 7 });
    const b = toLabDataset(tf, dataset, { validationSplit: 0.2, seed: 7 });
    const c = toLabDataset(tf, dataset, { validationSplit: 0.2, seed: 8 });
    expect(imageIds(a.validation!)).toEqual(imageIds(b.validation!));
    expect(imageIds(a.train)).toEqual(imageIds(b.train));
    expect(imageIds(c.train)).not.toEqual(imageIds(a.train));
    [a, b, c].forEach(disposeLab);
  });

  it('applies limit to the first images before shuffling and splitting', () => {
    const lab = toLabDataset(tf, dataset, { limit: 10, validationSplit: 0.3 });
    expect(lab.train.count).toBe(7);
    expect(lab.validation?.count).toBe(3);
    const ids = [...imageIds(lab.train), ...imageIds(lab.validation!)].sort((a, b) => a - b);
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    disposeLab(lab);

    const noValidation = toLabDataset(tf, dataset, { limit: 1000 });
    expect(noValidation.train.count).toBe(40);
    expect(noValidation.validation).toBeNull();
    disposeLab(noValidation);
  });

  it('rejects bad options with a message that says what is allowed', () => {
    const before = tf.memory().numTensors;
    expect(() => toLabDataset(tf, dataset, { validationSplit: 0.5 })).toThrow(
      'validationSplit must be a number from 0 up to (not including) 0.5, got 0.5',
    );
    expect(() => toLabDataset(tf, dataset, { validationSplit: -0.1 })).toThrow(/validationSplit/);
    expect(() => toLabDataset(tf, dataset, { limit: 0 })).toThrow('limit must be a positive integer, got 0');
    expect(() => toLabDataset(tf, dataset, { limit: 2.5 })).toThrow(
      'limit must be a positive integer, got 2.5',
    );
    expect(() => toLabDataset(tf, dataset, { seed: 1.5 })).toThrow('seed must be an integer, got 1.5');
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('toTestTensors', () => {
  it('returns the test split in stored order with raw labels', () => {
    const test = toTestTensors(tf, dataset);
    expect(test.count).toBe(9);
    expect(test.xs.shape).toEqual([9, 2, 3, 1]);
    expect(Array.from(test.labels)).toEqual([1, 2, 0, 1, 2, 0, 1, 2, 0]); // image 1000 + i has label (1000 + i) % 3
    expect(test.xs.dataSync()[6]).toBeCloseTo((1001 % 256) / 255, 6);
    test.xs.dispose();
  });

  it('says so when the test split was not loaded', async () => {
    const trainOnly = { ...dataset, splits: { train: dataset.splits.train } };
    expect(() => toTestTensors(tf, trainOnly)).toThrow("the test split of 'tiny' was not loaded");
  });
});

describe('seeded shuffle', () => {
  it('is a permutation fixed by its seed', () => {
    expect(Array.from(shuffledIndices(10, 42))).toEqual(Array.from(shuffledIndices(10, 42)));
    expect(Array.from(shuffledIndices(10, 42)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(shuffledIndices(10, 42))).not.toEqual(Array.from(shuffledIndices(10, 43)));
  });

  it('mulberry32 matches the widely published reference implementation', () => {
    // The reference, as published with the algorithm (bryc's "PRNGs in JavaScript"), written independently here.
    const reference = (seed: number) => () => {
      let t = (seed += 0x6d2b79f5);
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    for (const seed of [0, 1, 42, 123456789]) {
      const ours = mulberry32(seed);
      const theirs = reference(seed);
      const a = Array.from({ length: 1000 }, () => ours());
      expect(a).toEqual(Array.from({ length: 1000 }, () => theirs()));
      expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    }
  });
});
