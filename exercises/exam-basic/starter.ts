import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train } = await lab.data.load('fashion-mnist', { limit: 1000 });

  // TODO: your model. It must take one [28, 28, 1] image and end in 10 softmax units.
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // TODO: train it.
  await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 64, callbacks: lab.callbacks() });
  return model;
}
