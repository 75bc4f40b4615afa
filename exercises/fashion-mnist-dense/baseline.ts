import type { Lab } from 'cv-lab';

/**
 * The weak baseline (exercise.json, "calibration"): no hidden layer and plain SGD, on all the data
 * for five epochs. It runs and keeps the rules but misses the target: a hidden layer and adam are
 * needed.
 */
export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train } = await lab.data.load('fashion-mnist');

  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, { epochs: 5, batchSize: 64, callbacks: lab.callbacks() });
  return model;
}
