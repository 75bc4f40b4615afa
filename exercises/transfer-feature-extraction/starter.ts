import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation, classNames } = await lab.data.load('surface-defects', {
    limit: 200,
    validationSplit: 0.2,
  });

  // The pretrained base: MobileNet v1 trained on our `shapes` images (64×64 RGB), built for 96×96.
  const pretrained = await lab.models.load('shapes-mobilenet-v1-0.25', { inputShape: [96, 96, 3] });
  // TODO: cut it before its shapes classifier (lab.models.truncate at 'conv_pw_13_relu') ...
  const base = pretrained;
  // TODO: ... and freeze it (lab.models.freeze), so that only your head trains.

  // The images are gray; the base wants RGB: convert inside the model (the gray channel three
  // times), so the grader's test images go through the same step.
  const input = tf.input({ shape: [96, 96, 1] });
  const rgb = tf.layers.concatenate({ axis: -1 }).apply([input, input, input]) as never;
  const features = base.apply(rgb) as never;
  // TODO: the head: global average pooling, then a softmax dense layer with one unit per class.
  const output = tf.layers
    .dense({ units: classNames.length, activation: 'softmax' })
    .apply(features) as never;
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.log(`trainable parameters: ${lab.models.trainableParams(model)}`);

  // TODO: more epochs: a head this small trains fast (at most 30).
  await model.fit(train.xs, train.ys, {
    epochs: 1,
    batchSize: 32,
    validationData: validation ? [validation.xs, validation.ys] : undefined,
    callbacks: lab.callbacks(),
  });
  return model;
}
