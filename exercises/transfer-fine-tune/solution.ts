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

  // A defect is the same defect mirrored: random flips (training only) fight the overfitting that
  // 200,000 trainable weights on 384 images invite.
  const input = tf.input({ shape: [96, 96, 1] });
  const flipped = lab.augment.layers.randomFlip({ mode: 'both' }).apply(input) as never;
  const rgb = tf.layers.concatenate({ axis: -1 }).apply([flipped, flipped, flipped]) as never;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(base.apply(rgb) as never) as never;
  const output = tf.layers.dense({ units: classNames.length, activation: 'softmax' }).apply(pooled) as never;
  const model = tf.model({ inputs: input, outputs: output });

  // 1. Feature extraction: train the head on the frozen base.
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, fitOptions(10));

  // 2. Fine-tuning: unfreeze blocks 6 to 13, keep batch norm in inference mode (its statistics
  // stay the pretrained ones: batches of 32 are too small to re-estimate them), recompile with a
  // 10× lower learning rate.
  lab.models.unfreeze(base, { from: 'block_6', keepBatchNormFrozen: true });
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.log(`fine-tuning ${lab.models.trainableParams(model)} parameters`);
  await model.fit(train.xs, train.ys, fitOptions(30));
  return model;
}
