import type { Lab } from 'cv-lab';

/**
 * Baseline for `transfer-fine-tune`: feature extraction only, with everything that exercise allows
 * (all 480 training images, the starter's random flips, all 40 epochs on the head, the base frozen
 * throughout). Fine-tuning must beat this, not just the starter's 10 epochs.
 */
export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation, classNames } = await lab.data.load('surface-defects', {
    validationSplit: 0.2,
  });
  const pretrained = await lab.models.load('symbols-mobilenet-v1-0.25', { inputShape: [96, 96, 3] });
  const base = lab.models.truncate(pretrained, 'conv_pw_13_relu');
  lab.models.freeze(base);
  const input = tf.input({ shape: [96, 96, 1] });
  const flipped = lab.augment.layers.randomFlip({ mode: 'both' }).apply(input) as never;
  const rgb = tf.layers.concatenate({ axis: -1 }).apply([flipped, flipped, flipped]) as never;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(base.apply(rgb) as never) as never;
  const output = tf.layers.dense({ units: classNames.length, activation: 'softmax' }).apply(pooled) as never;
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, {
    epochs: 40,
    batchSize: 32,
    shuffle: true,
    validationData: validation ? [validation.xs, validation.ys] : undefined,
    callbacks: lab.callbacks(),
  });
  return model;
}
