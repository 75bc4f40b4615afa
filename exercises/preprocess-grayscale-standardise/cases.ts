import type { TF } from 'cv-lab';

function randomImages(tf: TF, random: () => number, shape: [number, number, number, number], scale = 1) {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(
    Array.from({ length: size }, () => random() * scale),
    shape,
  );
}

export default function cases(tf: TF, random: () => number) {
  return [
    {
      name: 'greyscale of one RGB image',
      call: 'toGrayscale',
      args: [randomImages(tf, random, [1, 4, 4, 3])],
    },
    { name: 'greyscale of a batch', call: 'toGrayscale', args: [randomImages(tf, random, [3, 6, 5, 3])] },
    {
      name: 'greyscale of pure colours',
      call: 'toGrayscale',
      args: [tf.tensor4d([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1], [1, 2, 2, 3])],
    },
    {
      name: 'standardise a batch of RGB images',
      call: 'standardise',
      args: [randomImages(tf, random, [3, 5, 5, 3])],
    },
    {
      name: 'standardise images of different brightness',
      call: 'standardise',
      args: [
        tf.concat([
          randomImages(tf, random, [1, 6, 6, 1], 0.1),
          tf.add(randomImages(tf, random, [1, 6, 6, 1], 0.1), 0.8),
        ]),
      ],
    },
    { name: 'standardise a flat image (std 0)', call: 'standardise', args: [tf.fill([1, 4, 4, 1], 0.5)] },
    {
      name: 'standardise 0–255 pixels',
      call: 'standardise',
      args: [randomImages(tf, random, [2, 8, 8, 3], 255)],
    },
  ];
}
