/**
 * MobileNet v1 (Howard et al. 2017) in the layout of keras.applications.MobileNet: a 3x3 stride-2
 * convolution, then 13 blocks of depthwise 3x3 + batch norm + ReLU6 and pointwise 1x1 + batch norm +
 * ReLU6, every width scaled by alpha; with the top, global average pooling and a softmax dense layer.
 */
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs';
import type { TF } from '../sandbox/lab';

export interface MobileNetV1Options {
  alpha?: number;
  inputShape?: [number, number, number];
  classes?: number;
  includeTop?: boolean;
  dropout?: number;
}

/** [pointwise filters at alpha 1, depthwise stride] of the 13 blocks. */
const BLOCKS: [number, number][] = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];

export function buildMobileNetV1(tf: TF, options: MobileNetV1Options = {}): LayersModel {
  const {
    alpha = 1,
    inputShape = [224, 224, 3],
    classes = 1000,
    includeTop = true,
    dropout = 1e-3,
  } = options;
  const width = (filters: number) => Math.max(1, Math.round(filters * alpha));
  const batchNormRelu6 = (x: SymbolicTensor, name: string) => {
    const normed = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(x) as SymbolicTensor;
    return tf.layers.reLU({ maxValue: 6, name: `${name}_relu` }).apply(normed) as SymbolicTensor;
  };
  const input = tf.input({ shape: inputShape });
  let x = tf.layers
    .conv2d({ filters: width(32), kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'conv1' })
    .apply(input) as SymbolicTensor;
  x = batchNormRelu6(x, 'conv1');
  BLOCKS.forEach(([filters, stride], i) => {
    const id = i + 1;
    x = tf.layers
      .depthwiseConv2d({
        kernelSize: 3,
        strides: stride,
        padding: 'same',
        useBias: false,
        name: `conv_dw_${id}`,
      })
      .apply(x) as SymbolicTensor;
    x = batchNormRelu6(x, `conv_dw_${id}`);
    x = tf.layers
      .conv2d({
        filters: width(filters),
        kernelSize: 1,
        padding: 'same',
        useBias: false,
        name: `conv_pw_${id}`,
      })
      .apply(x) as SymbolicTensor;
    x = batchNormRelu6(x, `conv_pw_${id}`);
  });
  if (includeTop) {
    x = tf.layers.globalAveragePooling2d({ name: 'global_pool' }).apply(x) as SymbolicTensor;
    if (dropout > 0) {
      x = tf.layers.dropout({ rate: dropout, name: 'dropout' }).apply(x) as SymbolicTensor;
    }
    x = tf.layers
      .dense({ units: classes, activation: 'softmax', name: 'predictions' })
      .apply(x) as SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: x, name: `mobilenet_${alpha}_${inputShape[0]}` });
}
