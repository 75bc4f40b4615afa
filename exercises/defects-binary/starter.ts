import type { Lab } from 'cv-lab';

// TODO: choose the threshold above which a part counts as defective (the grader uses 0.5 without it).
export const threshold = 0.5;

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train } = await lab.data.load('surface-defects-binary', { limit: 120 });
  // One sigmoid unit wants one 0/1 target per image, not the one-hot pair.
  const targets = tf.cast(train.labels, 'float32').reshape([-1, 1]);

  // TODO: a real CNN — blocks of conv2d, batchNormalization, relu and maxPooling2d — and augmentation.
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [96, 96, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 8 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });

  // TODO: all the data, a validation split, and enough epochs.
  await model.fit(train.xs, targets, { epochs: 1, batchSize: 16, callbacks: lab.callbacks() });
  return model;
}
