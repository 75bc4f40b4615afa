import type { Lab } from 'cv-lab';

/** Baseline: the solution's model with the base's weights random and trainable (no pretraining). */
export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation, classNames } = await lab.data.load('surface-defects', {
    limit: 200,
    validationSplit: 0.2,
  });
  const pretrained = await lab.models.load('shapes-mobilenet-v1-0.25', { inputShape: [96, 96, 3] });
  // The same architecture with fresh random weights: rebuild it from its topology alone.
  const fresh = (await tf.models.modelFromJSON(
    pretrained.toJSON(null, false) as never,
  )) as never as typeof pretrained;
  pretrained.dispose();
  const base = lab.models.truncate(fresh, 'conv_pw_13_relu');
  const input = tf.input({ shape: [96, 96, 1] });
  const rgb = tf.layers.concatenate({ axis: -1 }).apply([input, input, input]) as never;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(base.apply(rgb) as never) as never;
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
