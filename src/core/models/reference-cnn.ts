/**
 * The reference CNN of the Fashion-MNIST exercises and of the training benchmark:
 * Conv2D 32 3x3 relu, MaxPool 2, Conv2D 64 3x3 relu, MaxPool 2, Flatten, Dense 128 relu, Dense 10
 * softmax. The widths are options so that tests can train a narrower copy with the same layer types.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';

export interface ReferenceCnnOptions {
  inputShape?: [number, number, number];
  classes?: number;
  convFilters?: [number, number];
  denseUnits?: number;
  /** Seeds the kernel initialisers, so that two backends start from the same weights. */
  seed?: number;
}

export function buildReferenceCnn(tf: TF, options: ReferenceCnnOptions = {}): LayersModel {
  const { inputShape = [28, 28, 1], classes = 10, convFilters = [32, 64], denseUnits = 128, seed } = options;
  const init = (offset: number) =>
    seed === undefined ? undefined : tf.initializers.glorotUniform({ seed: seed + offset });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape,
        filters: convFilters[0],
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({
        filters: convFilters[1],
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(2),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: denseUnits, activation: 'relu', kernelInitializer: init(3) }),
      tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init(4) }),
    ],
  });
}
