/**
 * The two warp samplers (plain loops for cpu/wasm, tf ops for the GPU backends) agree on every fill
 * mode and interpolation, on warps that reach far outside the image and on a smaller output size.
 * The GPU backends cannot run in Node, so this is how the ops sampler is checked.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleImages, rotationAffine, zoomAffine, type Affine } from '../../../src/core/augment/warp';
import type { FillMode, Interpolation } from '../../../src/core/augment/options';
import { BACKENDS, rampImages, tf, useBackend } from './helpers';

const FILL_MODES: FillMode[] = ['constant', 'reflect', 'wrap', 'nearest'];
const INTERPOLATIONS: Interpolation[] = ['nearest', 'bilinear'];

describe.each(BACKENDS)('warp samplers on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('give the same pixels in plain loops and in tf ops', () => {
    const images = rampImages(4, 7, 9, 2);
    const affines: Affine[] = [
      rotationAffine(0.7, 7, 9),
      zoomAffine(2.5, 0.6, 7, 9), // reaches well outside the image
      [1, 0, -12.5, 0, 1, 20.25], // more than one period away: exercises reflect and wrap folding
      [-1, 0.3, 8, 0.2, -1, 6],
    ];
    for (const fillMode of FILL_MODES) {
      for (const interpolation of INTERPOLATIONS) {
        for (const size of [
          [7, 9],
          [4, 5],
        ] as const) {
          const settings = { fillMode, interpolation, fillValue: 0.25 };
          const host = sampleImages(tf, images, affines, settings, size, 'host');
          const ops = sampleImages(tf, images, affines, settings, size, 'ops');
          const label = `${fillMode} ${interpolation} ${size.join('x')}`;
          expect(host.shape, label).toEqual([4, ...size, 2]);
          expect(ops.shape, label).toEqual(host.shape);
          const difference = tf.max(tf.abs(tf.sub(host, ops))).dataSync()[0];
          expect(difference, label).toBeLessThan(1e-5);
          tf.dispose([host, ops]);
        }
      }
    }
    images.dispose();
  });
});
