import type { Lab } from 'cv-lab';

/**
 * The weak baseline (exercise.json, "calibration"): one small convolution, trained for one epoch.
 * It runs and keeps the rules but misses the target: two blocks and a few epochs are needed.
 */
export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train } = await lab.data.load('fashion-mnist');

  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 64, callbacks: lab.callbacks() });
  return model;
}
