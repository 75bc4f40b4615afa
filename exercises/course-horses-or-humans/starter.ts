import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation, classNames } = await lab.data.load('horses-or-humans', { validationSplit: 0.1 });

  // TODO: load the published ImageNet MobileNet v2 feature vector (frozen) and put a new head on it:
  // lab.models.load('imagenet-mobilenet-v2-1.0-224-features', { inputShape: [96, 96, 3] })
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [96, 96, 3] }),
      tf.layers.dense({ units: classNames.length, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // TODO: a callback that stops training once training accuracy passes 0.999 (at most 10 epochs).
  await model.fit(train.xs, train.ys, {
    epochs: 1,
    batchSize: 32,
    validationData: validation ? [validation.xs, validation.ys] : undefined,
    callbacks: lab.callbacks(),
  });
  return model;
}
