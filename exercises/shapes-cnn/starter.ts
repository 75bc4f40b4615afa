import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train } = await lab.data.load('shapes', { limit: 600 });

  // TODO: a real CNN: blocks of conv2d + maxPooling2d, more filters as the image shrinks.
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [64, 64, 3], filters: 4, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 4 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 6, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // TODO: all the data, a validation split, and more epochs.
  await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 32, callbacks: lab.callbacks() });
  return model;
}
