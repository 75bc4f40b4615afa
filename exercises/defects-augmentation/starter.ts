import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation } = await lab.data.load('surface-defects', { validationSplit: 0.2, seed: 1 });

  const model = tf.sequential({
    layers: [
      tf.layers.inputLayer({ inputShape: [96, 96, 1] }),
      // TODO: augmentation layers here (lab.augment.layers.randomFlip, randomRotation, ...).
      tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 4 }),
      // TODO: more blocks of conv2d (+ batchNormalization) + maxPooling2d.
      tf.layers.flatten(),
      tf.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // TODO: enough epochs for augmentation to pay off.
  await model.fit(train.xs, train.ys, {
    epochs: 2,
    batchSize: 16,
    validationData: validation ? [validation.xs, validation.ys] : undefined,
    callbacks: lab.callbacks(),
  });
  return model;
}
