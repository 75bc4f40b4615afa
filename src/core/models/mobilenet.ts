/**
 * The MobileNet family in the layouts (and layer names) of keras.applications, any width `alpha`.
 *
 * - v1 (Howard et al. 2017): a 3x3 stride-2 convolution, then 13 blocks of depthwise 3x3 + batch
 *   norm + ReLU6 and pointwise 1x1 + batch norm + ReLU6; with the top, global average pooling and a
 *   softmax dense layer.
 * - v2 (Sandler et al. 2018): the same stem, then 17 inverted residual blocks. Each widens its
 *   input (1x1 "expand" convolution, six times the channels), filters it (depthwise 3x3), and
 *   narrows it again (1x1 "project" convolution) with no activation after it: ReLU6 on a narrow
 *   tensor would throw information away, so the narrow "bottleneck" stays linear. Where a block
 *   keeps the size and width, its input is added to its output (the residual). A last 1x1
 *   convolution to 1280 channels, then the top.
 *
 * Padding is `same` throughout (Keras pads stride-2 layers by hand to match ImageNet weights it
 * ships; these builders are for training from scratch or for our own pretrained files).
 */
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';

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

/** Learner code calls the builders: a wrong option says which and why, before tfjs fails deep inside. */
function checkOptions(builder: string, alpha: number, inputShape: unknown, classes: number): void {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha <= 0 || alpha > 4) {
    throw new Error(`${builder}: alpha must be a number above 0 and at most 4, got ${JSON.stringify(alpha)}`);
  }
  const shape = inputShape as number[];
  if (
    !Array.isArray(shape) ||
    shape.length !== 3 ||
    !shape.every((d) => Number.isInteger(d) && d >= 1 && d <= 2048)
  ) {
    throw new Error(
      `${builder}: inputShape must be [height, width, channels] in whole numbers, got ${JSON.stringify(inputShape)}`,
    );
  }
  if (!Number.isInteger(classes) || classes < 1) {
    throw new Error(`${builder}: classes must be a whole number from 1, got ${JSON.stringify(classes)}`);
  }
}

/** Conv or depthwise output → batch norm → ReLU6, the unit both versions repeat. */
function batchNormRelu6(tf: TF, x: SymbolicTensor, bnName: string, reluName: string): SymbolicTensor {
  const normed = tf.layers.batchNormalization({ name: bnName }).apply(x) as SymbolicTensor;
  return tf.layers.reLU({ maxValue: 6, name: reluName }).apply(normed) as SymbolicTensor;
}

/** Global average pooling, optional dropout, softmax: the classification top both versions share. */
function classifierTop(tf: TF, x: SymbolicTensor, classes: number, dropout: number): SymbolicTensor {
  x = tf.layers.globalAveragePooling2d({ name: 'global_pool' }).apply(x) as SymbolicTensor;
  if (dropout > 0) x = tf.layers.dropout({ rate: dropout, name: 'dropout' }).apply(x) as SymbolicTensor;
  return tf.layers
    .dense({ units: classes, activation: 'softmax', name: 'predictions' })
    .apply(x) as SymbolicTensor;
}

export function buildMobileNetV1(tf: TF, options: MobileNetV1Options = {}): LayersModel {
  const {
    alpha = 1,
    inputShape = [224, 224, 3],
    classes = 1000,
    includeTop = true,
    dropout = 1e-3,
  } = options;
  checkOptions('mobileNetV1', alpha, inputShape, classes);
  const width = (filters: number) => Math.max(1, Math.round(filters * alpha));
  const bnRelu6 = (x: SymbolicTensor, name: string) => batchNormRelu6(tf, x, `${name}_bn`, `${name}_relu`);
  const input = tf.input({ shape: inputShape });
  let x = tf.layers
    .conv2d({ filters: width(32), kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'conv1' })
    .apply(input) as SymbolicTensor;
  x = bnRelu6(x, 'conv1');
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
    x = bnRelu6(x, `conv_dw_${id}`);
    x = tf.layers
      .conv2d({
        filters: width(filters),
        kernelSize: 1,
        padding: 'same',
        useBias: false,
        name: `conv_pw_${id}`,
      })
      .apply(x) as SymbolicTensor;
    x = bnRelu6(x, `conv_pw_${id}`);
  });
  if (includeTop) x = classifierTop(tf, x, classes, dropout);
  return tf.model({ inputs: input, outputs: x, name: `mobilenet_${alpha}_${inputShape[0]}` });
}

export interface MobileNetV2Options {
  alpha?: number;
  inputShape?: [number, number, number];
  classes?: number;
  includeTop?: boolean;
  /** Dropout before the classifier; Keras's v2 has none (0). */
  dropout?: number;
}

/** [output channels at alpha 1, stride of the first block, how many blocks, expansion], as in the paper's table 2. */
const V2_STAGES: [number, number, number, number][] = [
  [16, 1, 1, 1],
  [24, 2, 2, 6],
  [32, 2, 3, 6],
  [64, 2, 4, 6],
  [96, 1, 3, 6],
  [160, 2, 3, 6],
  [320, 1, 1, 6],
];

/**
 * Channels rounded to a multiple of 8 (fast on most hardware), never more than 10 % below the
 * asked-for value: Keras's `_make_divisible`, so widths match keras.applications.MobileNetV2.
 */
export function makeDivisible(value: number, divisor = 8): number {
  const rounded = Math.max(divisor, Math.floor((value + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * value ? rounded + divisor : rounded;
}

export function buildMobileNetV2(tf: TF, options: MobileNetV2Options = {}): LayersModel {
  const { alpha = 1, inputShape = [224, 224, 3], classes = 1000, includeTop = true, dropout = 0 } = options;
  checkOptions('mobileNetV2', alpha, inputShape, classes);
  const input = tf.input({ shape: inputShape });
  let x = tf.layers
    .conv2d({
      filters: makeDivisible(32 * alpha),
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      useBias: false,
      name: 'Conv1',
    })
    .apply(input) as SymbolicTensor;
  x = batchNormRelu6(tf, x, 'bn_Conv1', 'Conv1_relu');

  let blockId = 0;
  for (const [channels, firstStride, repeats, expansion] of V2_STAGES) {
    for (let r = 0; r < repeats; r++) {
      x = invertedResidual(tf, x, {
        id: blockId++,
        filters: makeDivisible(Math.trunc(channels * alpha)),
        stride: r === 0 ? firstStride : 1,
        expansion,
      });
    }
  }

  // Wider than 1 widens the last convolution too; narrower keeps its 1280 features (as Keras).
  const lastFilters = alpha > 1 ? makeDivisible(1280 * alpha) : 1280;
  x = tf.layers
    .conv2d({ filters: lastFilters, kernelSize: 1, useBias: false, name: 'Conv_1' })
    .apply(x) as SymbolicTensor;
  x = batchNormRelu6(tf, x, 'Conv_1_bn', 'out_relu');
  if (includeTop) x = classifierTop(tf, x, classes, dropout);
  return tf.model({ inputs: input, outputs: x, name: `mobilenetv2_${alpha}_${inputShape[0]}` });
}

/** One inverted residual block: expand (not in block 0), depthwise, linear project, residual add. */
function invertedResidual(
  tf: TF,
  input: SymbolicTensor,
  block: { id: number; filters: number; stride: number; expansion: number },
): SymbolicTensor {
  const inChannels = input.shape[input.shape.length - 1] as number;
  const prefix = block.id === 0 ? 'expanded_conv_' : `block_${block.id}_`;
  let x = input;
  if (block.id > 0) {
    x = tf.layers
      .conv2d({
        filters: block.expansion * inChannels,
        kernelSize: 1,
        useBias: false,
        name: `${prefix}expand`,
      })
      .apply(x) as SymbolicTensor;
    x = batchNormRelu6(tf, x, `${prefix}expand_BN`, `${prefix}expand_relu`);
  }
  x = tf.layers
    .depthwiseConv2d({
      kernelSize: 3,
      strides: block.stride,
      padding: 'same',
      useBias: false,
      name: `${prefix}depthwise`,
    })
    .apply(x) as SymbolicTensor;
  x = batchNormRelu6(tf, x, `${prefix}depthwise_BN`, `${prefix}depthwise_relu`);
  x = tf.layers
    .conv2d({ filters: block.filters, kernelSize: 1, useBias: false, name: `${prefix}project` })
    .apply(x) as SymbolicTensor;
  x = tf.layers.batchNormalization({ name: `${prefix}project_BN` }).apply(x) as SymbolicTensor;
  if (block.stride === 1 && inChannels === block.filters) {
    x = tf.layers.add({ name: `${prefix}add` }).apply([input, x]) as SymbolicTensor;
  }
  return x;
}
