import type { Lab } from 'cv-lab';

const TARGET = 0.86;

export default async function train(lab: Lab) {
  const { tf } = lab;
  const { train } = await lab.data.load('fashion-mnist');

  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const stopAtTarget = new tf.CustomCallback({
    onEpochEnd: async (epoch, logs) => {
      if ((logs?.acc ?? 0) >= TARGET) {
        lab.log(`Reached ${logs?.acc.toFixed(4)} training accuracy in epoch ${epoch + 1}: stopping.`);
        model.stopTraining = true;
      }
    },
  });
  await model.fit(train.xs, train.ys, {
    epochs: 20,
    batchSize: 64,
    callbacks: [lab.callbacks(), stopAtTarget],
  });
  return model;
}
