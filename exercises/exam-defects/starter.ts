import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train } = await lab.data.load('surface-defects', { limit: 100 });

  // TODO: your model. It must take one [96, 96, 1] image and end in 5 softmax units.
  const model = tf.sequential({
    layers: [
      tf.layers.inputLayer({ inputShape: [96, 96, 1] }),
      tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 4 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // TODO: train it.
  await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 16, callbacks: lab.callbacks() });
  return model;
}
