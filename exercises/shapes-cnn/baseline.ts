import type { Lab } from 'cv-lab';

/**
 * The weak baseline (exercise.json, "calibration"): two plain convolution blocks (no batch norm),
 * flattened into the softmax, three epochs. It keeps the rules but misses the targets: the shapes'
 * colours and brightness vary from picture to picture, and a shape can be anywhere in it.
 */
export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation } = await lab.data.load('shapes', { validationSplit: 0.1 });

  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [64, 64, 3], filters: 16, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 6, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, {
    epochs: 3,
    batchSize: 32,
    validationData: validation ? [validation.xs, validation.ys] : undefined,
    callbacks: lab.callbacks(),
  });
  return model;
}
