/**
 * The timing that backend-speed.ts ranks backends by: a few real training steps of a small CNN
 * (conv 3x3 + ReLU, max pooling, dense softmax, Adam) on the exercise's input shape, on the backend
 * tfjs has set. One warm-up step (shader compilation, kernel set-up) is not counted; then steps
 * until about `budgetSeconds` have passed, each read back so a GPU's queue is really drained.
 */
import type { TF } from './tf';

export interface TimingOptions {
  /** [h, w, c] of the exercise's images. */
  inputShape: [number, number, number];
  classes?: number;
  batch?: number;
  /** Seconds of timed steps to aim for (at least one step is timed). */
  budgetSeconds?: number;
  maxSteps?: number;
  /** Milliseconds, monotonic (`performance.now`). */
  now: () => number;
}

export async function timeTrainingSteps(
  tf: TF,
  { inputShape, classes = 10, batch = 16, budgetSeconds = 1, maxSteps = 20, now }: TimingOptions,
): Promise<{ images: number; seconds: number }> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape, filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: classes, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const [h, w, c] = inputShape;
  const xs = tf.tidy(() => tf.randomUniform([batch, h, w, c], 0, 1, 'float32', 7));
  const ys = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        Array.from({ length: batch }, (_, i) => i % classes),
        'int32',
      ),
      classes,
    ),
  );
  const step = async () => {
    const loss = await model.trainOnBatch(xs, ys);
    const value = Array.isArray(loss) ? loss[0] : loss;
    if (!Number.isFinite(value)) throw new Error(`the timed step's loss is ${value}`);
  };
  try {
    await step();
    const started = now();
    let steps = 0;
    let seconds = 0;
    while (steps < maxSteps && (steps === 0 || seconds < budgetSeconds)) {
      await step();
      steps++;
      seconds = (now() - started) / 1000;
    }
    return { images: steps * batch, seconds };
  } finally {
    tf.dispose([xs, ys]);
    model.dispose();
  }
}
