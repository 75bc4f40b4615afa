import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train } = await lab.data.load('fashion-mnist', { limit: 5000 });

  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // TODO: a tf.CustomCallback that stops at 0.86 training accuracy, all the data, and epochs: 20.
  await model.fit(train.xs, train.ys, { epochs: 2, batchSize: 64, callbacks: lab.callbacks() });
  return model;
}
