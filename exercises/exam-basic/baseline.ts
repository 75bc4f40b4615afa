import type { Lab } from 'cv-lab';

/** Weak baseline for exam-basic: no hidden layer (a linear softmax classifier), two epochs. */
export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train } = await lab.data.load('fashion-mnist');
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, {
    epochs: 2,
    batchSize: 64,
    shuffle: true,
    callbacks: lab.callbacks(),
  });
  return model;
}
