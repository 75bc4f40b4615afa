import type { TF } from 'cv-lab';

/** Random integer images in 0..255 of the given shape. */
function randomImages(tf: TF, random: () => number, shape: [number, number, number, number]) {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(
    Array.from({ length: size }, () => Math.floor(random() * 256)),
    shape,
    'int32',
  );
}

export default function cases(tf: TF, random: () => number) {
  const shapes: [string, [number, number, number, number], number, number][] = [
    ['one greyscale image, same size', [1, 8, 8, 1], 8, 8],
    ['greyscale batch, upscaled', [3, 5, 7, 1], 10, 14],
    ['RGB batch, downscaled', [2, 16, 12, 3], 8, 6],
    ['RGB, to a square from a wide image', [2, 6, 20, 3], 9, 9],
    ['RGB, 28 to 96 like MobileNet inputs', [1, 28, 28, 3], 96, 96],
  ];
  return shapes.map(([name, shape, height, width]) => ({
    name,
    call: 'prepareImages',
    args: [randomImages(tf, random, shape), height, width],
  }));
}
