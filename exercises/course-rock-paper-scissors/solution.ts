import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation, classNames } = await lab.data.load('rock-paper-scissors', {
    validationSplit: 0.1,
  });

  // The published ImageNet MobileNet v2 feature vector: one frozen layer, 1,280 features per image.
  const base = await lab.models.load('imagenet-mobilenet-v2-1.0-224-features', { inputShape: [96, 96, 3] });
  const head = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [1280], units: classNames.length, activation: 'softmax' })],
  });

  // The frozen base gives every image the same features every epoch (no augmentation here):
  // computed once, the head trains on them exactly as it would behind the base.
  lab.log('computing the base features of every image once');
  const features = base.predict(train.xs, { batchSize: 32 }) as never;
  const validationFeatures = validation
    ? (base.predict(validation.xs, { batchSize: 32 }) as never)
    : undefined;

  head.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await head.fit(features, train.ys, {
    epochs: 10,
    batchSize: 32,
    shuffle: true,
    validationData: validationFeatures && validation ? [validationFeatures, validation.ys] : undefined,
    callbacks: lab.callbacks(),
  });
  // The model the grader gets: images in, through the frozen base and the trained head.
  return tf.sequential({ layers: [base, head] });
}
