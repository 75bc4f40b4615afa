import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation, classNames } = await lab.data.load('novel-symbols', {
    validationSplit: 0.2,
  });
  const fitOptions = (epochs: number) => ({
    epochs,
    batchSize: 32,
    shuffle: true,
    validationData: validation ? ([validation.xs, validation.ys] as [never, never]) : undefined,
    callbacks: lab.callbacks(),
  });

  const pretrained = await lab.models.load('symbols-mobilenet-v1-0.25');
  const base = lab.models.truncate(pretrained, 'conv_pw_13_relu');
  lab.models.freeze(base);

  // Random flips (training only): a figure mirrored is the same figure, and 200,000 trainable
  // weights on 800 images need every variation they can get.
  const input = tf.input({ shape: [48, 48, 3] });
  const flipped = lab.augment.layers.randomFlip({ mode: 'both' }).apply(input) as never;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(base.apply(flipped) as never) as never;
  const output = tf.layers.dense({ units: classNames.length, activation: 'softmax' }).apply(pooled) as never;
  const model = tf.model({ inputs: input, outputs: output });

  // 1. Feature extraction: train the head on the frozen base.
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, fitOptions(10));

  // 2. Fine-tuning: unfreeze the upper blocks, keep batch norm in inference mode (its statistics
  // stay the pretrained ones: batches of 32 are too small to re-estimate them), recompile with a
  // 10× lower learning rate.
  lab.models.unfreeze(base, { from: 'block_6', keepBatchNormFrozen: true });
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.log(`fine-tuning ${lab.models.trainableParams(model)} parameters`);
  await model.fit(train.xs, train.ys, fitOptions(30));
  return model;
}
