import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation, classNames } = await lab.data.load('surface-defects', {
    limit: 200,
    validationSplit: 0.2,
  });

  // The pretrained base: MobileNet v1 trained on shapes, cut before its classifier and frozen.
  const pretrained = await lab.models.load('shapes-mobilenet-v1-0.25', { inputShape: [96, 96, 3] });
  const base = lab.models.truncate(pretrained, 'conv_pw_13_relu');
  lab.models.freeze(base);

  // 96×96 gray in, as RGB (the gray channel three times), the base, then a new head.
  const input = tf.input({ shape: [96, 96, 1] });
  const flipped = lab.augment.layers.randomFlip({ mode: 'both' }).apply(input) as never;
  const rgb = tf.layers.concatenate({ axis: -1 }).apply([flipped, flipped, flipped]) as never;
  const features = base.apply(rgb) as never;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(features) as never;
  const output = tf.layers.dense({ units: classNames.length, activation: 'softmax' }).apply(pooled) as never;
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.log(`trainable parameters: ${lab.models.trainableParams(model)}`);

  await model.fit(train.xs, train.ys, {
    epochs: 30,
    batchSize: 32,
    shuffle: true,
    validationData: validation ? [validation.xs, validation.ys] : undefined,
    callbacks: lab.callbacks(),
  });
  return model;
}
