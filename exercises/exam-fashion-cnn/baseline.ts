import type { Lab } from 'cv-lab';

/** Weak baseline for exam-fashion-cnn: one convolution of 8 filters, no pooling, one epoch. */
export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train } = await lab.data.load('fashion-mnist');
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, {
    epochs: 1,
    batchSize: 64,
    shuffle: true,
    callbacks: lab.callbacks(),
  });
  return model;
}
