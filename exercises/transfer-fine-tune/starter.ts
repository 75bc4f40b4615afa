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

  // Feature extraction, as in the exercise before this one: the frozen base and a new head.
  const pretrained = await lab.models.load('symbols-mobilenet-v1-0.25');
  const base = lab.models.truncate(pretrained, 'conv_pw_13_relu');
  lab.models.freeze(base);
  const input = tf.input({ shape: [48, 48, 3] });
  const pooled = tf.layers.globalAveragePooling2d({}).apply(base.apply(input) as never) as never;
  const output = tf.layers.dense({ units: classNames.length, activation: 'softmax' }).apply(pooled) as never;
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, fitOptions(10));

  // TODO: let the pretrained network adapt to these five classes, within the trainable-weight and
  // epoch budgets, without undoing what it learnt.
  return model;
}
