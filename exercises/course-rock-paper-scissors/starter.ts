import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation, classNames } = await lab.data.load('rock-paper-scissors', {
    validationSplit: 0.1,
  });

  // TODO: a frozen base: lab.models.load('imagenet-mobilenet-v2-1.0-224-features', { inputShape: [96, 96, 3] }),
  // then a softmax head on its 1,280 features.
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [96, 96, 3] }),
      tf.layers.dense({ units: classNames.length, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, {
    epochs: 1,
    batchSize: 32,
    validationData: validation ? [validation.xs, validation.ys] : undefined,
    callbacks: lab.callbacks(),
  });
  return model;
}
