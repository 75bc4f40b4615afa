import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  // TODO: use all the training images, and hold out a validation split.
  const { train } = await lab.data.load('fashion-mnist', { limit: 1000 });

  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  // TODO: a second convolution and pooling block, with more filters.
  model.add(tf.layers.flatten());
  // TODO: a hidden dense layer before the output.
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary(undefined, undefined, (line) => lab.log(line));

  // TODO: more epochs (at most 5).
  await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 64, callbacks: lab.callbacks() });
  return model;
}
