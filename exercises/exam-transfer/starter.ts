import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, classNames } = await lab.data.load('novel-symbols', { limit: 40 });

  // TODO: build on the pretrained 'symbols-mobilenet-v1-0.25' (lab.models.load). The model must
  // take one [48, 48, 3] image and end in 5 softmax units.
  const pretrained = await lab.models.load('symbols-mobilenet-v1-0.25');
  const base = lab.models.truncate(pretrained, 'conv_pw_13_relu');
  const input = tf.input({ shape: [48, 48, 3] });
  const pooled = tf.layers.globalAveragePooling2d({}).apply(base.apply(input) as never) as never;
  const output = tf.layers.dense({ units: classNames.length, activation: 'softmax' }).apply(pooled) as never;
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.sgd(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // TODO: train it.
  await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 32, callbacks: lab.callbacks() });
  return model;
}
