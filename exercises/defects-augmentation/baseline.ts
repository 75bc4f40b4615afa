import type { Lab } from 'cv-lab';

/**
 * The weak baseline (exercise.json, "calibration"): the reference network without its random
 * flips, trained in one plain 30-epoch fit at Adam 0.001. It learns the one station's lean and
 * misses the plant's test target
 * (scripts/augmentation-baselines/README.md).
 */
export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation } = await lab.data.load('surface-defects', { validationSplit: 0.2, seed: 1 });

  const block = (filters: number) => [
    tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false }),
    tf.layers.batchNormalization({ momentum: 0.9 }),
    tf.layers.activation({ activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
  ];
  const model = tf.sequential({
    layers: [
      tf.layers.inputLayer({ inputShape: [96, 96, 1] }),
      // (no augmentation: the baseline the exercise compares against; otherwise the solution)
      ...block(16),
      ...block(32),
      ...block(48),
      ...block(64),
      // Where the defect is does not matter: keep each feature's strongest response.
      tf.layers.globalMaxPooling2d({}),
      tf.layers.dropout({ rate: 0.3 }),
      tf.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  await model.fit(train.xs, train.ys, {
    epochs: 30,
    batchSize: 16,
    shuffle: true,
    validationData: validation ? [validation.xs, validation.ys] : undefined,
    callbacks: lab.callbacks(),
  });
  return model;
}
