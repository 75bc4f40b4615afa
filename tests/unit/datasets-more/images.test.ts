import { describe, expect, it } from 'vitest';
import {
  centerCropToAspect,
  centerCropWindow,
  convertChannels,
  fitImage,
  gatherSplit,
  parseSize,
  planClassFolders,
  resizeImage,
  stratifiedSplit,
} from '../../../src/core/datasets/images';

const gray = (width: number, height: number, values: number[]) => ({
  width,
  height,
  channels: 1,
  data: Uint8Array.from(values),
});

describe('image helpers', () => {
  it('shrinks by exact area averages and enlarges bilinearly with half-pixel centres', () => {
    const image = gray(4, 2, [0, 10, 20, 30, 40, 50, 60, 70]);
    expect(Array.from(resizeImage(image, 1, 2).data)).toEqual([25, 45]); // (0+10+40+50)/4, (20+30+60+70)/4
    expect(Array.from(resizeImage(gray(3, 1, [0, 30, 60]), 1, 2).data)).toEqual([10, 50]); // 1.5 px each
    expect(Array.from(resizeImage(gray(2, 1, [0, 100]), 1, 4).data)).toEqual([0, 25, 75, 100]);
    const rgb = {
      width: 2,
      height: 2,
      channels: 3,
      data: Uint8Array.from([255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255]),
    };
    expect(Array.from(resizeImage(rgb, 1, 1).data)).toEqual([128, 0, 128]);
  });

  it('converts channels as tf.image does: BT.601 luma, alpha dropped, gray repeated', () => {
    const rgba = { width: 2, height: 1, channels: 4, data: Uint8Array.from([255, 0, 0, 10, 0, 0, 255, 255]) };
    expect(Array.from(convertChannels(rgba, 1).data)).toEqual([76, 29]);
    expect(Array.from(convertChannels(rgba, 3).data)).toEqual([255, 0, 0, 0, 0, 255]);
    expect(Array.from(convertChannels(gray(1, 1, [7]), 3).data)).toEqual([7, 7, 7]);
  });

  it('centre-crops to the target aspect before resizing, so nothing is stretched', () => {
    expect(centerCropWindow(300, 200, 1)).toEqual({ x: 50, y: 0, width: 200, height: 200 });
    expect(centerCropWindow(100, 300, 2)).toEqual({ x: 0, y: 125, width: 100, height: 50 });
    const wide = gray(4, 2, [9, 1, 2, 9, 9, 3, 4, 9]);
    expect(Array.from(centerCropToAspect(wide, 1).data)).toEqual([1, 2, 3, 4]);
    const fitted = fitImage(
      { width: 4, height: 2, channels: 4, data: new Uint8Array(32).fill(200) },
      { height: 3, width: 3, channels: 3 },
    );
    expect(Array.from(fitted)).toEqual(new Array(27).fill(200));
  });

  it('parses sizes and names a bad one', () => {
    expect(parseSize('96x64')).toEqual([96, 64]);
    expect(parseSize('28')).toEqual([28, 28]);
    expect(() => parseSize('0x5')).toThrow(
      "--size '0x5' is not HxW with sides from 1 to 1024 (for example 96x96)",
    );
  });

  it('splits per class with a seed: the same seed the same split, each class in both', () => {
    const labels = [...new Array(10).fill(0), ...new Array(3).fill(1), 2, 2];
    const split = stratifiedSplit(labels, 0.2, 5);
    expect(stratifiedSplit(labels, 0.2, 5)).toEqual(split);
    expect(stratifiedSplit(labels, 0.2, 6)).not.toEqual(split);
    const count = (indices: number[], label: number) => indices.filter((i) => labels[i] === label).length;
    expect([0, 1, 2].map((l) => count(split.test, l))).toEqual([2, 1, 1]);
    expect([0, 1, 2].map((l) => count(split.train, l))).toEqual([8, 2, 1]);
    expect([...split.train, ...split.test].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    const gathered = gatherSplit(
      [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)],
      [0, 1, 1],
      [2, 0],
      1,
    );
    expect(gathered).toEqual({ images: Uint8Array.of(3, 1), labels: Uint8Array.of(1, 0), count: 2 });
  });

  it('plans class folders: sorted classes, wrapper folder stripped, non-images and strays apart', () => {
    const plan = planClassFolders(
      [
        'pets/dog/b.JPG',
        'pets/cat/a.png',
        'pets/cat/sub/c.webp',
        'pets/cat/notes.txt',
        'pets/.hidden/x.png',
        '__MACOSX/pets/cat/._a.png',
        'pets/cat/.DS_Store',
      ],
      ['pets', 'pets/cat', 'pets/dog', 'pets/bird'],
    );
    expect(plan.wrapper).toBe('pets');
    expect(plan.classes).toEqual([
      { name: 'bird', files: [] },
      { name: 'cat', files: ['pets/cat/a.png', 'pets/cat/sub/c.webp'] },
      { name: 'dog', files: ['pets/dog/b.JPG'] },
    ]);
    expect(plan.nonImages).toEqual(['pets/cat/notes.txt']);
    const flat = planClassFolders(['a.png', 'x/1.png', 'y/2.jpeg']);
    expect(flat.wrapper).toBeUndefined();
    expect(flat.unclassified).toEqual(['a.png']);
    expect(flat.classes.map((c) => c.name)).toEqual(['x', 'y']);
    // One folder with images directly inside is one class, not a wrapper.
    expect(planClassFolders(['cats/1.png', 'cats/2.png']).classes.map((c) => c.name)).toEqual(['cats']);
  });
});
