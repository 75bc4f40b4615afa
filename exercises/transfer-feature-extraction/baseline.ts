import type { Lab } from 'cv-lab';

/** Baseline: the solutions' network with the base's weights random and trainable (no pretraining). */
export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation, classNames } = await lab.data.load('novel-symbols', {
    limit: 300,
    validationSplit: 0.2,
  });
  // The base's architecture (MobileNet v1, width 0.25, 48×48 RGB, up to conv_pw_13_relu) with
  // fresh random weights, everything trainable.
  const base = lab.models.mobileNetV1({ alpha: 0.25, inputShape: [48, 48, 3], includeTop: false });
  const input = tf.input({ shape: [48, 48, 3] });
  const pooled = tf.layers.globalAveragePooling2d({}).apply(base.apply(input) as never) as never;
  const output = tf.layers.dense({ units: classNames.length, activation: 'softmax' }).apply(pooled) as never;
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(0.002), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, {
    epochs: 30,
    batchSize: 32,
    shuffle: true,
    validationData: validation ? [validation.xs, validation.ys] : undefined,
    callbacks: lab.callbacks(),
  });
  return model;
}
