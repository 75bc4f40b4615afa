import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation, classNames } = await lab.data.load('surface-defects', {
    validationSplit: 0.2,
  });
  const fitOptions = (epochs: number) => ({
    epochs,
    batchSize: 32,
    shuffle: true,
    validationData: validation ? ([validation.xs, validation.ys] as [never, never]) : undefined,
    callbacks: lab.callbacks(),
  });

  const pretrained = await lab.models.load('symbols-mobilenet-v1-0.25', { inputShape: [96, 96, 3] });
  const base = lab.models.truncate(pretrained, 'conv_pw_13_relu');
  lab.models.freeze(base);

  // Random flips (training only): a defect is the same defect mirrored.
  const input = tf.input({ shape: [96, 96, 1] });
  const flipped = lab.augment.layers.randomFlip({ mode: 'both' }).apply(input) as never;
  const rgb = tf.layers.concatenate({ axis: -1 }).apply([flipped, flipped, flipped]) as never;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(base.apply(rgb) as never) as never;
  const output = tf.layers.dense({ units: classNames.length, activation: 'softmax' }).apply(pooled) as never;
  const model = tf.model({ inputs: input, outputs: output });

  // 1. Feature extraction: train the head on the frozen base.
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, fitOptions(10));

  // TODO: 2. let the pretrained network adapt to these images, within the trainable-weight and
  // epoch budgets (40 epochs in all), without undoing what it learnt.
  return model;
}
