/**
 * The augmentation ops on small hand-made images, on the CPU and WASM backends: each op's effect is
 * checked by value (where a marker pixel goes, how the mean moves, how many pixels are erased).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  augment,
  BACKENDS,
  brightestAt,
  expectNoLeak,
  markerImage,
  pixels,
  rampImages,
  tf,
  useBackend,
} from './helpers';

const { ops } = augment;

function close(actual: number, expected: number, tolerance = 1e-4): void {
  expect(Math.abs(actual - expected)).toBeLessThan(tolerance);
}

describe.each(BACKENDS)('augment ops on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  describe('randomFlip', () => {
    it('mirrors a marker left–right in horizontal mode, or leaves it, per image', () => {
      const copies = tf.tile(markerImage(4, 1, 0), [16, 1, 1, 1]) as tf.Tensor4D;
      const out = ops.randomFlip(copies, { mode: 'horizontal', seed: 3 });
      const places = new Set<string>();
      for (let i = 0; i < 16; i++) {
        const rows = pixels(out, i);
        places.add(rows[1][0] === 1 ? 'kept' : rows[1][3] === 1 ? 'mirrored' : 'lost');
        expect(rows.flat().reduce((a, b) => a + b, 0)).toBe(1);
      }
      expect([...places].sort()).toEqual(['kept', 'mirrored']);
      tf.dispose([copies, out]);
    });

    it('mirrors up–down in vertical mode and reaches all four corners in both', () => {
      const copies = tf.tile(markerImage(4, 0, 1), [32, 1, 1, 1]) as tf.Tensor4D;
      const vertical = ops.randomFlip(copies, { mode: 'vertical', seed: 5 });
      const verticalPlaces = new Set(
        Array.from({ length: 32 }, (_, i) => brightestAt(vertical.slice(i, 1)).join(',')),
      );
      expect([...verticalPlaces].sort()).toEqual(['0,1', '3,1']);
      const both = ops.randomFlip(copies, { mode: 'both', seed: 5 });
      const bothPlaces = new Set(
        Array.from({ length: 32 }, (_, i) => brightestAt(both.slice(i, 1)).join(',')),
      );
      expect([...bothPlaces].sort()).toEqual(['0,1', '0,2', '3,1', '3,2']);
      tf.dispose([copies, vertical, both]);
    });
  });

  describe('randomRotation', () => {
    it('turns a marker a quarter turn counter-clockwise for factor 0.25, clockwise for -0.25', () => {
      const image = markerImage(5, 0, 4); // top-right corner
      const left = ops.randomRotation(image, { factor: [0.25, 0.25], fillMode: 'constant' });
      expect(brightestAt(left)).toEqual([0, 0]);
      close(pixels(left)[0][0], 1);
      const right = ops.randomRotation(image, { factor: [-0.25, -0.25], fillMode: 'constant' });
      expect(brightestAt(right)).toEqual([4, 4]);
      close(pixels(right)[4][4], 1);
      tf.dispose([image, left, right]);
    });

    it('keeps the angle within ±factor·2π: a 0.1 turn never moves the centre pixel', () => {
      const image = markerImage(5, 2, 2);
      const out = ops.randomRotation(tf.tile(image, [8, 1, 1, 1]) as tf.Tensor4D, { factor: 0.1, seed: 1 });
      for (let i = 0; i < 8; i++) close(pixels(out, i)[2][2], 1, 1e-3);
      tf.dispose([image, out]);
    });
  });

  describe('randomZoom', () => {
    it('zooming in by 2x moves an off-centre marker away from the centre', () => {
      // Output (x, y) reads input (0.5x + 1, 0.5y + 1): input (1, 1) lands at (0, 0).
      const image = markerImage(5, 1, 1);
      const out = ops.randomZoom(image, { heightFactor: [-0.5, -0.5], interpolation: 'nearest' });
      expect(pixels(out)[0][0]).toBe(1);
      tf.dispose([image, out]);
    });

    it('zooming out by 2x shrinks the image about its centre, filling the border', () => {
      const ones = tf.ones([1, 5, 5, 1]) as tf.Tensor4D;
      const out = ops.randomZoom(ones, {
        heightFactor: [1, 1],
        fillMode: 'constant',
        interpolation: 'nearest',
      });
      const rows = pixels(out);
      expect(rows[2][2]).toBe(1);
      expect(rows[0][0]).toBe(0);
      expect(rows[4][4]).toBe(0);
      tf.dispose([ones, out]);
    });
  });

  describe('randomTranslation', () => {
    it('shifts a marker by the fraction of the size: down one row and left one column', () => {
      const image = markerImage(4, 1, 2);
      const out = ops.randomTranslation(image, {
        heightFactor: [0.25, 0.25],
        widthFactor: [-0.25, -0.25],
        fillMode: 'constant',
      });
      expect(brightestAt(out)).toEqual([2, 1]);
      close(pixels(out)[2][1], 1);
      tf.dispose([image, out]);
    });

    it('fills the uncovered border by reflection by default', () => {
      const image = tf.tensor4d([0.1, 0.2, 0.3, 0.4], [1, 1, 4, 1]);
      const out = ops.randomTranslation(image, { heightFactor: 0, widthFactor: [0.25, 0.25] });
      // "d c b a | a b c d": shifting right by one repeats the first column.
      expect(Array.from(out.dataSync()).map((v) => Math.round(v * 10) / 10)).toEqual([0.1, 0.1, 0.2, 0.3]);
      tf.dispose([image, out]);
    });
  });

  describe('randomCrop', () => {
    it('returns height × width windows, each a contiguous part of its own image', () => {
      const images = rampImages(3, 6, 6, 2);
      const out = ops.randomCrop(images, { height: 3, width: 4, seed: 9 });
      expect(out.shape).toEqual([3, 3, 4, 2]);
      const source = images.arraySync();
      const crops = out.arraySync();
      for (let i = 0; i < 3; i++) {
        // Find the window's offset from its first pixel, then compare every pixel.
        let found = false;
        for (let top = 0; top <= 3 && !found; top++) {
          for (let left = 0; left <= 2 && !found; left++) {
            found = crops[i].every((row, r) =>
              row.every((px, c) => px.every((v, ch) => v === source[i][top + r][left + c][ch])),
            );
          }
        }
        expect(found).toBe(true);
      }
      tf.dispose([images, out]);
    });

    it('says what to do when the crop is larger than the image', () => {
      const images = rampImages(1, 4, 4, 1);
      expect(() => ops.randomCrop(images, { height: 5, width: 2 })).toThrow(/cannot crop 5x2 out of 4x4/);
      images.dispose();
    });
  });

  describe('randomBrightness', () => {
    it('shifts the mean by the factor times the value range, and clips', () => {
      const gray = tf.fill([2, 4, 4, 3], 0.5) as tf.Tensor4D;
      const brighter = ops.randomBrightness(gray, { factor: [0.2, 0.2] });
      close(brighter.mean().dataSync()[0], 0.7);
      const darker = ops.randomBrightness(gray, { factor: [-0.3, -0.3] });
      close(darker.mean().dataSync()[0], 0.2);
      const clipped = ops.randomBrightness(gray, { factor: [0.8, 0.8] });
      close(clipped.max().dataSync()[0], 1);
      tf.dispose([gray, brighter, darker, clipped]);
    });
  });

  describe('randomContrast', () => {
    it('keeps each channel mean and scales the deviations by one factor in [1-f, 1+f] per image', () => {
      const image = tf.tensor4d([0.4, 0.6, 0.6, 0.4], [1, 2, 2, 1]);
      const images = tf.tile(image, [6, 1, 1, 1]) as tf.Tensor4D;
      const out = ops.randomContrast(images, { factor: 0.5, seed: 2 });
      const factors = new Set<number>();
      for (let i = 0; i < 6; i++) {
        const values = pixels(out, i).flat();
        close(values.reduce((a, b) => a + b, 0) / 4, 0.5);
        const factor = (values[1] - 0.5) / 0.1;
        expect(factor).toBeGreaterThanOrEqual(0.5 - 1e-4);
        expect(factor).toBeLessThanOrEqual(1.5 + 1e-4);
        values.forEach((v, k) => close(v - 0.5, factor * (k === 0 || k === 3 ? -0.1 : 0.1)));
        factors.add(Math.round(factor * 1000));
      }
      expect(factors.size).toBeGreaterThan(1);
      tf.dispose([image, images, out]);
    });
  });

  describe('gaussianNoise', () => {
    it('adds zero-mean noise of the given standard deviation', () => {
      const gray = tf.fill([4, 32, 32, 1], 0.5) as tf.Tensor4D;
      const out = ops.gaussianNoise(gray, { stddev: 0.1, seed: 4 });
      const { mean, variance } = tf.moments(out);
      close(mean.dataSync()[0], 0.5, 0.01);
      close(Math.sqrt(variance.dataSync()[0]), 0.1, 0.01);
      tf.dispose([gray, out, mean, variance]);
    });
  });

  describe('cutout', () => {
    it('erases exactly size² pixels (all channels) per image with one box', () => {
      const ones = tf.ones([4, 8, 8, 3]) as tf.Tensor4D;
      const out = ops.cutout(ones, { size: 3, count: 1, seed: 7 });
      const zerosPerImage = tf.sum(tf.cast(tf.equal(out, 0), 'float32'), [1, 2, 3]);
      expect(Array.from(zerosPerImage.dataSync())).toEqual([27, 27, 27, 27]);
      tf.dispose([ones, out, zerosPerImage]);
    });

    it('erases up to count boxes, as squares, with the fill value', () => {
      const ones = tf.ones([6, 10, 10, 1]) as tf.Tensor4D;
      const out = ops.cutout(ones, { size: [2, 3], count: 3, fillValue: 0.5, seed: 8 });
      const erased = Array.from(tf.sum(tf.cast(tf.equal(out, 0.5), 'float32'), [1, 2, 3]).dataSync());
      for (const count of erased) {
        expect(count).toBeGreaterThanOrEqual(6);
        expect(count).toBeLessThanOrEqual(18);
      }
      // Only ones and the fill value remain.
      expect(new Set(out.dataSync())).toEqual(new Set([1, 0.5]));
      tf.dispose([ones, out]);
    });
  });

  describe('mixup', () => {
    it('mixes labels into convex combinations that sum to 1, with the images mixed alike', () => {
      const n = 8;
      // Image k is constant k/8, label k is class k: a mixed label tells which images were mixed.
      const xs = tf.tensor4d(
        Array.from({ length: n * 4 }, (_, i) => Math.floor(i / 4) / n),
        [n, 2, 2, 1],
      );
      const ys = tf.oneHot(tf.range(0, n, 1, 'int32'), n).toFloat() as tf.Tensor2D;
      const mixed = ops.mixup(xs, ys, { alpha: 0.4, seed: 11 });
      expect(mixed.xs.shape).toEqual([n, 2, 2, 1]);
      const labels = mixed.ys.arraySync();
      const images = mixed.xs.arraySync();
      let mixedRows = 0;
      labels.forEach((row, i) => {
        close(
          row.reduce((a, b) => a + b, 0),
          1,
        );
        row.forEach((v) => expect(v).toBeGreaterThanOrEqual(0));
        expect(row.filter((v) => v > 1e-6).length).toBeLessThanOrEqual(2);
        if (row[i] < 1 - 1e-6) mixedRows++;
        // The image is the same combination of the constant images.
        const expected = row.reduce((sum, weight, k) => sum + (weight * k) / n, 0);
        close(images[i][0][0][0], expected);
      });
      expect(mixedRows).toBeGreaterThan(0);
      tf.dispose([xs, ys, mixed.xs, mixed.ys]);
    });

    it('asks for float one-hot labels', () => {
      const xs = tf.zeros([2, 2, 2, 1]);
      const labels = tf.tensor1d([0, 1], 'int32');
      expect(() => ops.mixup(xs, labels)).toThrow(/float labels/);
      tf.dispose([xs, labels]);
    });
  });

  it('gives the same output for the same seed and a different one for another seed', () => {
    const images = rampImages(4, 8, 8, 3);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3).toFloat() as tf.Tensor2D;
    const runs: [string, (seed: number) => tf.Tensor][] = [
      ['flip', (seed) => ops.randomFlip(images, { seed })],
      ['rotation', (seed) => ops.randomRotation(images, { factor: 0.2, seed })],
      ['zoom', (seed) => ops.randomZoom(images, { heightFactor: 0.3, seed })],
      ['translation', (seed) => ops.randomTranslation(images, { heightFactor: 0.2, widthFactor: 0.2, seed })],
      ['crop', (seed) => ops.randomCrop(images, { height: 5, width: 5, seed })],
      ['brightness', (seed) => ops.randomBrightness(images, { factor: 0.2, seed })],
      ['contrast', (seed) => ops.randomContrast(images, { factor: 0.5, seed })],
      ['noise', (seed) => ops.gaussianNoise(images, { stddev: 0.1, seed })],
      ['cutout', (seed) => ops.cutout(images, { size: 3, seed })],
      ['mixup', (seed) => ops.mixup(images, y, { seed }).xs],
    ];
    for (const [name, run] of runs) {
      const a = run(1);
      const b = run(1);
      const c = run(2);
      expect(Array.from(a.dataSync()), name).toEqual(Array.from(b.dataSync()));
      expect(Array.from(a.dataSync()), name).not.toEqual(Array.from(c.dataSync()));
      tf.dispose([a, b, c]);
    }
    tf.dispose([images, y]);
  });

  it('accepts one image [h, w, c] and returns one image', () => {
    const image = tf.tensor3d([0.1, 0.2, 0.3, 0.4], [2, 2, 1]);
    const out = ops.randomBrightness(image, { factor: [0.1, 0.1] });
    expect(out.shape).toEqual([2, 2, 1]);
    close(out.mean().dataSync()[0], 0.35);
    tf.dispose([image, out]);
  });

  it('leaves no tensors behind', async () => {
    const images = rampImages(3, 8, 8, 3);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3).toFloat();
    const one = images.slice(0, 1).squeeze([0]) as tf.Tensor3D;
    await expectNoLeak(() => [
      ops.randomFlip(images, { seed: 1 }),
      ops.randomRotation(images, { factor: 0.2 }),
      ops.randomZoom(images, { heightFactor: 0.3, widthFactor: 0.1 }),
      ops.randomTranslation(images, { heightFactor: 0.2, widthFactor: 0.2 }),
      ops.randomCrop(images, { height: 5, width: 6 }),
      ops.randomBrightness(images, { factor: 0.2 }),
      ops.randomContrast(images, { factor: 0.5 }),
      ops.gaussianNoise(images, { stddev: 0.1 }),
      ops.cutout(images, { size: 3, count: 2 }),
      ops.mixup(images, y),
      ops.randomBrightness(one, { factor: 0.1 }),
    ]);
    tf.dispose([images, y, one]);
  });

  it('passes gradients through a warp: an integer shift sends them back where they came from', () => {
    // Shift right by one column (nearest, constant fill): d(sum(w · out))/dx[c] = w[c + 1].
    const x = tf.tensor4d([1, 2, 3, 4], [1, 1, 4, 1]);
    const weights = tf.tensor4d([10, 20, 30, 40], [1, 1, 4, 1]);
    const grad = tf.grad((input: tf.Tensor) =>
      tf.sum(
        tf.mul(
          ops.randomTranslation(input as tf.Tensor4D, {
            heightFactor: 0,
            widthFactor: [0.25, 0.25],
            fillMode: 'constant',
            interpolation: 'nearest',
          }),
          weights,
        ),
      ),
    )(x);
    expect(Array.from(grad.dataSync())).toEqual([20, 30, 40, 0]);
    tf.dispose([x, weights, grad]);
  });

  it('rejects bad options with a message naming the op and the value', () => {
    const images = rampImages(1, 4, 4, 1);
    expect(() => ops.randomRotation(images, { factor: 'a lot' as never })).toThrow(
      'randomRotation: factor must be a number or [lower, upper], got "a lot"',
    );
    expect(() => ops.randomFlip(images, { mode: 'diagonal' as never })).toThrow(/mode must be 'horizontal'/);
    expect(() => ops.randomZoom(images, { heightFactor: 0.2, fillMode: 'mirror' as never })).toThrow(
      /fillMode must be one of reflect, wrap, constant, nearest/,
    );
    expect(() => ops.cutout(images, { size: 0 })).toThrow(/cutout: size must be an integer ≥ 1/);
    expect(() => ops.randomFlip(tf.zeros([4, 4]) as never)).toThrow(
      'randomFlip expects a batch of images [n, height, width, channels], got shape [4, 4]',
    );
    images.dispose();
  });
});
