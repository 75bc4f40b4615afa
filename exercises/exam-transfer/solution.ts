import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation, classNames } = await lab.data.load('novel-symbols', {
    limit: 150,
    validationSplit: 0.2,
  });

  // The pretrained base: MobileNet v1 trained on the 20 `symbols` classes, cut before its
  // classifier and frozen.
  const pretrained = await lab.models.load('symbols-mobilenet-v1-0.25');
  const base = lab.models.truncate(pretrained, 'conv_pw_13_relu');
  lab.models.freeze(base);

  // A new head: global average pooling and a softmax dense layer, the only weights that train.
  const input = tf.input({ shape: [48, 48, 3] });
  const features = base.apply(input) as never;
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
