/**
 * Data augmentation for learner code, handed out as `lab.augment`, two ways as in Keras:
 *
 * - `ops`: functions on a batch [n, h, w, c] of float32 images in [0, 1] (a single image [h, w, c]
 *   works too), seeded by `seed`, for `tf.data`-style pipelines and for mixup, which changes labels;
 * - `layers`: layers to put at the front of a model, random in training and the identity at
 *   inference, which save and reload with the model.
 *
 * `createAugmentApi(tf)` binds both to the tfjs instance the run uses and registers the layer
 * classes with its serialization map (see layers.ts for why it is a factory).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';
import {
  AUGMENTATION_LAYER_CLASSES,
  defineAugmentationLayers,
  type CutoutArgs,
  type GaussianNoiseArgs,
  type RandomBrightnessArgs,
  type RandomContrastArgs,
  type RandomCropArgs,
  type RandomFlipArgs,
  type RandomRotationArgs,
  type RandomTranslationArgs,
  type RandomZoomArgs,
} from './layers';
import {
  applyBrightness,
  applyContrast,
  applyCrop,
  applyCutout,
  applyFlip,
  applyMixup,
  applyNoise,
  applyRotation,
  applyTranslation,
  applyZoom,
  checkBatch,
  resolveBrightness,
  resolveContrast,
  resolveCrop,
  resolveCutout,
  resolveFlip,
  resolveMixup,
  resolveNoise,
  resolveRotation,
  resolveTranslation,
  resolveZoom,
} from './ops';
import {
  checkSeed,
  type CutoutOptions,
  type GaussianNoiseOptions,
  type MixupOptions,
  type RandomBrightnessOptions,
  type RandomContrastOptions,
  type RandomCropOptions,
  type RandomFlipOptions,
  type RandomRotationOptions,
  type RandomTranslationOptions,
  type RandomZoomOptions,
} from './options';
import { previewAugmentations, type AugmentationPipeline, type PreviewOptions } from './preview';
import { randomSourceFor, type RandomSource } from './random';

export * from './options';
export {
  AUGMENTATION_LAYER_CLASSES,
  defineAugmentationLayers,
  registerAugmentationLayers,
  type AugmentationLayerClass,
  type AugmentationLayerClasses,
  type CutoutArgs,
  type GaussianNoiseArgs,
  type LayerArgs,
  type RandomBrightnessArgs,
  type RandomContrastArgs,
  type RandomCropArgs,
  type RandomFlipArgs,
  type RandomRotationArgs,
  type RandomTranslationArgs,
  type RandomZoomArgs,
} from './layers';
export { previewAugmentations, type AugmentationPipeline, type PreviewOptions } from './preview';

type Layer = tfType.layers.Layer;

/** An op keeps the rank it was given: a batch stays a batch, one image stays one image. */
type ImageOp<Options> = <T extends tfType.Tensor3D | tfType.Tensor4D>(x: T, options: Options) => T;
type OptionalImageOp<Options> = <T extends tfType.Tensor3D | tfType.Tensor4D>(x: T, options?: Options) => T;

export interface AugmentOps {
  /** Flips each image left–right and/or up–down, each with probability 1/2. */
  randomFlip: OptionalImageOp<RandomFlipOptions>;
  /** Rotates each image by a random angle in ±factor·2π (or [lower, upper]·2π). */
  randomRotation: ImageOp<RandomRotationOptions>;
  randomZoom: ImageOp<RandomZoomOptions>;
  randomTranslation: ImageOp<RandomTranslationOptions>;
  /** A `height` × `width` window of each image at a random place. */
  randomCrop: ImageOp<RandomCropOptions>;
  randomBrightness: ImageOp<RandomBrightnessOptions>;
  randomContrast: ImageOp<RandomContrastOptions>;
  gaussianNoise: ImageOp<GaussianNoiseOptions>;
  /** Erases `count` squares of side `size` in each image. */
  cutout: ImageOp<CutoutOptions>;
  /** Mixes examples and their one-hot labels pairwise: returns new tensors `{ xs, ys }`. */
  mixup<X extends tfType.Tensor, Y extends tfType.Tensor>(
    x: X,
    y: Y,
    options?: MixupOptions,
  ): { xs: X; ys: Y };
}

export interface AugmentLayers {
  randomFlip(args?: RandomFlipArgs): Layer;
  randomRotation(args: RandomRotationArgs): Layer;
  randomZoom(args: RandomZoomArgs): Layer;
  randomTranslation(args: RandomTranslationArgs): Layer;
  /** Random window in training, the centre window at inference. */
  randomCrop(args: RandomCropArgs): Layer;
  randomBrightness(args: RandomBrightnessArgs): Layer;
  randomContrast(args: RandomContrastArgs): Layer;
  /** tfjs's own `tf.layers.gaussianNoise` (class `GaussianNoise`); it takes no seed. */
  gaussianNoise(args: GaussianNoiseArgs): Layer;
  cutout(args: CutoutArgs): Layer;
}

export interface AugmentApi {
  ops: AugmentOps;
  layers: AugmentLayers;
  /** `count` augmented copies of one image [h, w, c] as [count, h', w', c], clipped to [0, 1]. */
  preview(image: tfType.Tensor3D, pipeline: AugmentationPipeline, options?: PreviewOptions): tfType.Tensor4D;
  /** Class names that count as augmentation layers (for rules and for display). */
  layerClassNames: readonly string[];
}

/** Runs a batch op on one image too, and draws its randomness from `options.seed`. */
function bindOp<Options extends { seed?: number } | undefined, Params>(
  tf: TF,
  name: string,
  resolve: (options: Options) => Params,
  apply: (tf: TF, x: tfType.Tensor4D, params: Params, random: RandomSource) => tfType.Tensor4D,
) {
  return <T extends tfType.Tensor3D | tfType.Tensor4D>(x: T, options: Options): T => {
    const params = resolve(options);
    const random = randomSourceFor(checkSeed(name, options?.seed));
    if (x != null && x.rank === 3) {
      return tf.tidy(() =>
        tf.squeeze(apply(tf, tf.expandDims(x, 0) as tfType.Tensor4D, params, random), [0]),
      ) as T;
    }
    return apply(tf, checkBatch(name, x), params, random) as T;
  };
}

export function createAugmentApi(tf: TF): AugmentApi {
  const classes = defineAugmentationLayers(tf);
  const ops: AugmentOps = {
    randomFlip: bindOp(
      tf,
      'randomFlip',
      (o: RandomFlipOptions | undefined) => resolveFlip(o ?? {}),
      applyFlip,
    ),
    randomRotation: bindOp(tf, 'randomRotation', resolveRotation, applyRotation),
    randomZoom: bindOp(tf, 'randomZoom', resolveZoom, applyZoom),
    randomTranslation: bindOp(tf, 'randomTranslation', resolveTranslation, applyTranslation),
    randomCrop: bindOp(tf, 'randomCrop', resolveCrop, applyCrop),
    randomBrightness: bindOp(tf, 'randomBrightness', resolveBrightness, applyBrightness),
    randomContrast: bindOp(tf, 'randomContrast', resolveContrast, applyContrast),
    gaussianNoise: bindOp(tf, 'gaussianNoise', resolveNoise, applyNoise),
    cutout: bindOp(tf, 'cutout', resolveCutout, applyCutout),
    mixup(x, y, options = {}) {
      const params = resolveMixup(options);
      return applyMixup(tf, x, y, params, randomSourceFor(checkSeed('mixup', options.seed)));
    },
  };
  const layers: AugmentLayers = {
    randomFlip: (args = {}) => new classes.RandomFlip(args),
    randomRotation: (args) => new classes.RandomRotation(args),
    randomZoom: (args) => new classes.RandomZoom(args),
    randomTranslation: (args) => new classes.RandomTranslation(args),
    randomCrop: (args) => new classes.RandomCrop(args),
    randomBrightness: (args) => new classes.RandomBrightness(args),
    randomContrast: (args) => new classes.RandomContrast(args),
    gaussianNoise: (args) => tf.layers.gaussianNoise(args),
    cutout: (args) => new classes.Cutout(args),
  };
  return {
    ops,
    layers,
    preview: (image, pipeline, options) => previewAugmentations(tf, image, pipeline, options),
    layerClassNames: AUGMENTATION_LAYER_CLASSES,
  };
}
