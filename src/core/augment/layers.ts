/**
 * The augmentations as Keras-style layers: random in training (`kwargs.training`, which
 * `model.fit` sets), the identity at inference (`predict`, `evaluate`, the grader), except
 * `RandomCrop`, which centre-crops at inference so the model always sees one image size.
 *
 * Why a factory: like the training monitor (sandbox/monitor.ts), the classes extend the
 * `tf.layers.Layer` of the tfjs instance handed in, and are registered in that instance's
 * serialization map, so `core` holds no value import of tfjs and the worker, the CLI and the tests
 * each use the tfjs they loaded. `defineAugmentationLayers(tf)` runs once per tfjs instance; it
 * must have run before `tf.loadLayersModel` reads a model containing these layers (the grader and
 * the CLI call `registerAugmentationLayers(tf)` for that).
 *
 * Each layer draws a fresh seed per training call from its own seeded source (`seed` in its
 * arguments), so a seeded model augments reproducibly batch after batch. A call may pass
 * `{ training: true, seed }` to fix one call's randomness, which the preview uses.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';
import {
  applyBrightness,
  applyContrast,
  applyCrop,
  applyCutout,
  applyFlip,
  applyRotation,
  applyTranslation,
  applyZoom,
  centerCrop,
  checkBatch,
  resolveBrightness,
  resolveContrast,
  resolveCrop,
  resolveCutout,
  resolveFlip,
  resolveRotation,
  resolveTranslation,
  resolveZoom,
} from './ops';
import {
  checkFlipMode,
  checkSeed,
  type CutoutOptions,
  type RandomBrightnessOptions,
  type RandomContrastOptions,
  type RandomCropOptions,
  type RandomFlipOptions,
  type RandomRotationOptions,
  type RandomTranslationOptions,
  type RandomZoomOptions,
} from './options';
import { drawSeed, randomSourceFor, seededRandom, type RandomSource } from './random';

type Tensor4D = tfType.Tensor4D;
type Layer = tfType.layers.Layer;

/** The arguments every tfjs layer takes (name, inputShape, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfType.layers.Layer>[0]>;

export type RandomFlipArgs = LayerArgs & RandomFlipOptions;
export type RandomRotationArgs = LayerArgs & RandomRotationOptions;
export type RandomZoomArgs = LayerArgs & RandomZoomOptions;
export type RandomTranslationArgs = LayerArgs & RandomTranslationOptions;
export type RandomCropArgs = LayerArgs & RandomCropOptions;
export type RandomBrightnessArgs = LayerArgs & RandomBrightnessOptions;
export type RandomContrastArgs = LayerArgs & RandomContrastOptions;
export type GaussianNoiseArgs = LayerArgs & { stddev: number };
export type CutoutArgs = LayerArgs & CutoutOptions;

/**
 * Class names of every layer that counts as augmentation, for a grading rule "the model has an
 * augmentation layer". Ours, tfjs's own `GaussianNoise` (which `augment.layers.gaussianNoise`
 * returns), and tfjs's `RandomWidth` / `RandomHeight`, which are training-only too.
 */
export const AUGMENTATION_LAYER_CLASSES = [
  'RandomFlip',
  'RandomRotation',
  'RandomZoom',
  'RandomTranslation',
  'RandomCrop',
  'RandomBrightness',
  'RandomContrast',
  'GaussianNoise',
  'Cutout',
  'RandomWidth',
  'RandomHeight',
] as const;

export type AugmentationLayerClass = (typeof AUGMENTATION_LAYER_CLASSES)[number];

/** A layer class of ours: constructed from its arguments, as `fromConfig` does on reload. */
export type AugmentationLayerConstructor<Args> = new (args: Args) => Layer;

export interface AugmentationLayerClasses {
  RandomFlip: AugmentationLayerConstructor<RandomFlipArgs>;
  RandomRotation: AugmentationLayerConstructor<RandomRotationArgs>;
  RandomZoom: AugmentationLayerConstructor<RandomZoomArgs>;
  RandomTranslation: AugmentationLayerConstructor<RandomTranslationArgs>;
  RandomCrop: AugmentationLayerConstructor<RandomCropArgs>;
  RandomBrightness: AugmentationLayerConstructor<RandomBrightnessArgs>;
  RandomContrast: AugmentationLayerConstructor<RandomContrastArgs>;
  Cutout: AugmentationLayerConstructor<CutoutArgs>;
}

type ConfigValue = tfType.serialization.ConfigDictValue;

/** What a layer kind needs: its options (for the config), their parameters, and the op. */
interface LayerSpec<Options, Params> {
  className: string;
  /** The option names saved in the config, in order. */
  optionKeys: readonly (keyof Options & string)[];
  resolve(options: Options): Params;
  apply(tf: TF, x: Tensor4D, params: Params, random: RandomSource): Tensor4D;
  /** At inference; the identity unless given. */
  infer?(tf: TF, x: Tensor4D, params: Params): Tensor4D;
  outputShape?(inputShape: tfType.Shape, params: Params): tfType.Shape;
}

/** Arrays become plain mutable copies and absent options are left out, so the config is JSON as is. */
function configValue(value: unknown): ConfigValue {
  return Array.isArray(value) ? value.map(configValue) : (value as ConfigValue);
}

function defineLayerClass<Options extends object, Params>(
  tf: TF,
  spec: LayerSpec<Options, Params>,
): AugmentationLayerConstructor<LayerArgs & Options> {
  const LayerClass = class extends tf.layers.Layer {
    static className = spec.className;
    private readonly options: Options;
    private readonly params: Params;
    private readonly seed: number | undefined;
    private readonly random: RandomSource;

    constructor(args: LayerArgs & Options & { seed?: number }) {
      super(args ?? {});
      // A copy: resolving may normalise an option, and the learner's object stays theirs.
      const options = { ...(args ?? {}) } as Options & { seed?: number };
      this.options = options;
      this.params = spec.resolve(options);
      this.seed = checkSeed(spec.className, options.seed);
      this.random = randomSourceFor(this.seed);
    }

    override computeOutputShape(inputShape: tfType.Shape | tfType.Shape[]): tfType.Shape | tfType.Shape[] {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfType.Shape;
      return spec.outputShape ? spec.outputShape(shape, this.params) : shape;
    }

    override call(inputs: tfType.Tensor | tfType.Tensor[], kwargs: Record<string, unknown>): tfType.Tensor {
      return tf.tidy(() => {
        const x = checkBatch(spec.className, Array.isArray(inputs) ? inputs[0] : inputs);
        if (kwargs.training !== true) return spec.infer ? spec.infer(tf, x, this.params) : x;
        const callSeed = typeof kwargs.seed === 'number' ? kwargs.seed : drawSeed(this.random);
        return spec.apply(tf, x, this.params, seededRandom(callSeed));
      });
    }

    override getConfig(): tfType.serialization.ConfigDict {
      const config: tfType.serialization.ConfigDict = {};
      for (const key of spec.optionKeys) {
        const value = (this.options as Record<string, unknown>)[key];
        if (value != null) config[key] = configValue(value);
      }
      config.seed = this.seed ?? null;
      return { ...config, ...super.getConfig() };
    }
  };
  tf.serialization.registerClass(LayerClass);
  return LayerClass as unknown as AugmentationLayerConstructor<LayerArgs & Options>;
}

const WARP_KEYS = ['fillMode', 'fillValue', 'interpolation'] as const;

function defineAll(tf: TF): AugmentationLayerClasses {
  return {
    RandomFlip: defineLayerClass(tf, {
      className: 'RandomFlip',
      optionKeys: ['mode'],
      // Keras's 'horizontal_and_vertical' is saved as 'both': the saved config camel-cases strings.
      resolve: (o: RandomFlipOptions) => {
        o.mode = checkFlipMode('RandomFlip', o.mode);
        return resolveFlip(o);
      },
      apply: applyFlip,
    }),
    RandomRotation: defineLayerClass(tf, {
      className: 'RandomRotation',
      optionKeys: ['factor', ...WARP_KEYS],
      resolve: resolveRotation,
      apply: applyRotation,
    }),
    RandomZoom: defineLayerClass(tf, {
      className: 'RandomZoom',
      optionKeys: ['heightFactor', 'widthFactor', ...WARP_KEYS],
      resolve: resolveZoom,
      apply: applyZoom,
    }),
    RandomTranslation: defineLayerClass(tf, {
      className: 'RandomTranslation',
      optionKeys: ['heightFactor', 'widthFactor', ...WARP_KEYS],
      resolve: resolveTranslation,
      apply: applyTranslation,
    }),
    RandomCrop: defineLayerClass(tf, {
      className: 'RandomCrop',
      optionKeys: ['height', 'width'],
      resolve: resolveCrop,
      apply: applyCrop,
      infer: centerCrop,
      outputShape: (shape, params) => [shape[0], params.height, params.width, shape[3]],
    }),
    RandomBrightness: defineLayerClass(tf, {
      className: 'RandomBrightness',
      optionKeys: ['factor', 'valueRange'],
      resolve: resolveBrightness,
      apply: applyBrightness,
    }),
    RandomContrast: defineLayerClass(tf, {
      className: 'RandomContrast',
      optionKeys: ['factor', 'valueRange'],
      resolve: resolveContrast,
      apply: applyContrast,
    }),
    Cutout: defineLayerClass(tf, {
      className: 'Cutout',
      optionKeys: ['size', 'count', 'fillValue'],
      resolve: resolveCutout,
      apply: applyCutout,
    }),
  };
}

const definedFor = new WeakMap<object, AugmentationLayerClasses>();

/** The layer classes for this tfjs instance, defined and registered for serialization on first use. */
export function defineAugmentationLayers(tf: TF): AugmentationLayerClasses {
  let classes = definedFor.get(tf);
  if (!classes) {
    classes = defineAll(tf);
    definedFor.set(tf, classes);
  }
  return classes;
}

/** Call before `tf.loadLayersModel` on a model that may contain augmentation layers. Idempotent. */
export function registerAugmentationLayers(tf: TF): void {
  defineAugmentationLayers(tf);
}
