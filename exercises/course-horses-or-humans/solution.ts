import type { Lab } from 'cv-lab';

const TARGET = 0.999;

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train, validation, classNames } = await lab.data.load('horses-or-humans', { validationSplit: 0.1 });

  // The published ImageNet MobileNet v2 feature vector: one frozen layer, 1,280 features per image.
  const base = await lab.models.load('imagenet-mobilenet-v2-1.0-224-features', { inputShape: [96, 96, 3] });

  // The course's head (C2W3): dense 1,024 ReLU, dropout 0.2, the classifier.
  const model = tf.sequential({
    layers: [
      tf.layers.inputLayer({ inputShape: [96, 96, 3] }),
      lab.augment.layers.randomFlip({ mode: 'horizontal' }),
      base,
      tf.layers.dense({ units: 1024, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.2 }),
      tf.layers.dense({ units: classNames.length, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  lab.log(`trainable parameters: ${lab.models.trainableParams(model)}`);

  const stopAtTarget = new tf.CustomCallback({
    onEpochEnd: async (epoch, logs) => {
      if ((logs?.acc ?? 0) > TARGET) {
        lab.log(`Reached ${logs?.acc.toFixed(4)} training accuracy in epoch ${epoch + 1}: stopping.`);
        model.stopTraining = true;
      }
    },
  });
  await model.fit(train.xs, train.ys, {
    epochs: 10,
    batchSize: 32,
    shuffle: true,
    validationData: validation ? [validation.xs, validation.ys] : undefined,
    callbacks: [lab.callbacks(), stopAtTarget],
  });
  return model;
}
