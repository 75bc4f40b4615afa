import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  // TODO: train on all the data (remove `limit`) and hold out some for validation.
  const { train } = await lab.data.load('fashion-mnist', { limit: 2000 });

  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      // TODO: add a hidden dense layer with a relu activation.
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  // TODO: a better optimizer than plain SGD at this learning rate.
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // TODO: more epochs.
  await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 64, callbacks: lab.callbacks() });
  return model;
}
