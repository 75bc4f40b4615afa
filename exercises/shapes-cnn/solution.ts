import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation } = await lab.data.load('shapes', { validationSplit: 0.1 });

  // conv → batch norm → relu → pool: batch norm keeps each block's outputs on one scale, which is what
  // lets a network learn shapes whose colours and brightness vary from picture to picture.
  const block = (filters: number, first = false) => [
    tf.layers.conv2d({
      ...(first ? { inputShape: [64, 64, 3] } : {}),
      filters,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
    }),
    tf.layers.batchNormalization(),
    tf.layers.activation({ activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
  ];
  const model = tf.sequential({
    layers: [
      ...block(16, true),
      ...block(32),
      ...block(64),
      ...block(64),
      // A shape is the same shape anywhere in the picture: keep each feature's strongest response.
      tf.layers.globalMaxPooling2d({}),
      tf.layers.dense({ units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 6, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.002), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.log(`${model.countParams()} parameters`);

  await model.fit(train.xs, train.ys, {
    epochs: 8,
    batchSize: 32,
    shuffle: true,
    validationData: validation ? [validation.xs, validation.ys] : undefined,
    callbacks: lab.callbacks(),
  });
  return model;
}
