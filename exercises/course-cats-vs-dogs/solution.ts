import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { augment } = lab;
  const { train, validation, classNames } = await lab.data.load('cats-vs-dogs-filtered', {
    validationSplit: 0.1,
  });

  // The published ImageNet MobileNet v2 feature vector: one frozen layer, 1,280 features per image.
  const base = await lab.models.load('imagenet-mobilenet-v2-1.0-224-features', { inputShape: [96, 96, 3] });

  // The course's ImageDataGenerator augmentation as layers (training only), the base, a small head.
  const model = tf.sequential({
    layers: [
      tf.layers.inputLayer({ inputShape: [96, 96, 3] }),
      augment.layers.randomFlip({ mode: 'horizontal' }),
      augment.layers.randomRotation({ factor: 0.1 }),
      augment.layers.randomZoom({ heightFactor: 0.2 }),
      augment.layers.randomTranslation({ heightFactor: 0.1, widthFactor: 0.1 }),
      base,
      tf.layers.dropout({ rate: 0.2 }),
      tf.layers.dense({ units: classNames.length, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.log(`trainable parameters: ${lab.models.trainableParams(model)}`);

  await model.fit(train.xs, train.ys, {
    epochs: 4,
    batchSize: 32,
    shuffle: true,
    validationData: validation ? [validation.xs, validation.ys] : undefined,
    callbacks: lab.callbacks(),
  });
  return model;
}
