import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation, classNames } = await lab.data.load('novel-symbols', {
    limit: 300,
    validationSplit: 0.2,
  });

  // Our MobileNet v1, pretrained on the 20 `symbols` classes (48×48 RGB in [0, 1], as these images).
  const pretrained = await lab.models.load('symbols-mobilenet-v1-0.25');
  lab.log(
    `pretrained blocks: ${lab.models
      .blocks(pretrained)
      .map((b) => b.name)
      .join(', ')}`,
  );

  // TODO: reuse what the pretrained network has learnt, and train only a small new head for these
  // five classes (at most 2,000 trainable weights). As it stands this trains a network from scratch.
  const input = tf.input({ shape: [48, 48, 3] });
  const conv = tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }).apply(input) as never;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(conv) as never;
  const output = tf.layers.dense({ units: classNames.length, activation: 'softmax' }).apply(pooled) as never;
  const model = tf.model({ inputs: input, outputs: output });
  pretrained.dispose();

  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.log(`trainable parameters: ${lab.models.trainableParams(model)}`);
  await model.fit(train.xs, train.ys, {
    epochs: 10,
    batchSize: 32,
    shuffle: true,
    validationData: validation ? [validation.xs, validation.ys] : undefined,
    callbacks: lab.callbacks(),
  });
  return model;
}
