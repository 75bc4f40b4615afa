import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation } = await lab.data.load('surface-defects', { validationSplit: 0.2, seed: 1 });

  const block = (filters: number) => [
    tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false }),
    // Momentum 0.9, not 0.99: the moving averages the model predicts with settle within the few
    // hundred steps that 384 images give (at 0.99 validation sat at chance for ten epochs).
    tf.layers.batchNormalization({ momentum: 0.9 }),
    tf.layers.activation({ activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
  ];
  const model = tf.sequential({
    layers: [
      tf.layers.inputLayer({ inputShape: [96, 96, 1] }),
      // The station's lines all lean one way; a mirror makes them lean the other, as the plant's
      // do, and a mirrored defect is the same defect. Flips move pixels without resampling them,
      // so faint thin scratches stay sharp (a free rotation blurs them). The layer does nothing
      // when the model predicts.
      lab.augment.layers.randomFlip({ mode: 'both' }),
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
  // Thirty epochs, one `fit` each, so the epoch whose validation accuracy is best can be kept: with
  // batch norm on batches of 16 the last epoch is not always the best one (one unseeded run ended on
  // an epoch that called most stains scratches, 0.735 on the test split against 0.91 for another).
  const epochs = 30;
  // The last third at a fifth of the learning rate: small steps that settle the weights and the
  // moving averages instead of jumping between answers.
  const fineTuneFrom = 20;
  let best = { accuracy: -1, weights: [] as ReturnType<typeof model.getWeights> };
  for (let epoch = 0; epoch < epochs; epoch++) {
    if (epoch === 0 || epoch === fineTuneFrom) {
      const learningRate = epoch < fineTuneFrom ? 0.001 : 0.0002;
      model.compile({
        optimizer: tf.train.adam(learningRate),
        loss: 'categoricalCrossentropy',
        metrics: ['accuracy'],
      });
    }
    const history = await model.fit(train.xs, train.ys, {
      epochs: 1,
      batchSize: 16,
      shuffle: true,
      validationData: validation ? [validation.xs, validation.ys] : undefined,
      callbacks: lab.callbacks(),
    });
    const accuracy = Number(history.history.val_acc?.[0] ?? history.history.acc?.[0] ?? 0);
    // `>=`: on a tie the later, better-settled epoch wins.
    if (accuracy >= best.accuracy) {
      best.weights.forEach((w) => w.dispose());
      // getWeights includes batch norm's moving averages; clone them, as fit keeps updating the originals.
      best = { accuracy, weights: model.getWeights().map((w) => w.clone()) };
    }
  }
  model.setWeights(best.weights);
  best.weights.forEach((w) => w.dispose());
  return model;
}
