/**
 * `lab.models`: the pretrained-model registry and the transfer-learning helpers, as learner code
 * sees them.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';
import {
  buildMobileNetV1,
  buildMobileNetV2,
  type MobileNetV1Options,
  type MobileNetV2Options,
} from './mobilenet';
import {
  findPretrained,
  loadPretrained,
  PRETRAINED_MODELS,
  type HashTrustStore,
  type ModelFileReader,
} from './registry';
import {
  countTrainableParams,
  freeze,
  listBlocks,
  truncateAt,
  unfreeze,
  type FreezeOptions,
  type ModelBlock,
  type UnfreezeOptions,
} from './transfer';

/** What `lab.models.list()` tells about one pretrained model. */
export interface PretrainedInfo {
  id: string;
  title: string;
  /** One image: [height, width, channels]. */
  inputShape: [number, number, number];
  /** How to scale pixels before they go in: `[0, 1]` (as `lab.data` gives them) or `[-1, 1]`. */
  inputRange: string;
  classes: number;
  classNames?: string[];
  /** `bundled`: works offline; `url`: downloaded on first use (needs the internet once). */
  source: 'bundled' | 'url';
  licence: string;
  provenance: string;
}

export interface LabModels {
  /** The pretrained models this lab knows. */
  list(): PretrainedInfo[];
  /**
   * Loads a pretrained model by id, its files checked against their SHA-256. You get a fresh copy
   * (with its classification top): cut it with `truncate`, freeze it, put your head on it.
   * `inputShape` builds it for another image size (same channels): the convolution weights fit
   * any size, e.g. `{ inputShape: [96, 96, 3] }` for a base pretrained at 64×64.
   */
  load(id: string, options?: { inputShape?: [number, number, number] }): Promise<tfType.LayersModel>;
  /**
   * A feature extractor: the model from its input to the output of `layerName` (inclusive). It shares
   * the original's layers and weights.
   */
  truncate(model: tfType.LayersModel, layerName: string): tfType.LayersModel;
  /**
   * Makes layers non-trainable: all (default) or up to `upTo` (inclusive). Frozen batch-norm layers
   * keep their statistics (Keras behaviour). Call `compile` afterwards.
   */
  freeze(model: tfType.LayersModel, options?: FreezeOptions): void;
  /** Makes layers trainable: all (default) or from a layer or block name (`'block_13'`) on. Recompile. */
  unfreeze(model: tfType.LayersModel, options?: UnfreezeOptions): void;
  /** The model's blocks (`stem`, `block_1` … `block_13` for MobileNet, then the rest), with parameter counts. */
  blocks(model: tfType.LayersModel): ModelBlock[];
  /** How many parameters `fit` will train (after `compile`). */
  trainableParams(model: tfType.LayersModel): number;
  /**
   * A new MobileNet v1 with random weights, in keras.applications' layout and layer names
   * (`conv1`, `conv_dw_N`, `conv_pw_N`): any width `alpha` (default 1), input shape (default
   * `[224, 224, 3]`), `classes` (1000), `includeTop` (true: global pooling, dropout, softmax).
   */
  mobileNetV1(options?: MobileNetV1Options): tfType.LayersModel;
  /**
   * A new MobileNet v2 with random weights, in keras.applications' layout and layer names
   * (`Conv1`, `expanded_conv_*`, `block_N_expand` / `_depthwise` / `_project` / `_add`, `Conv_1`):
   * inverted residual blocks with linear bottlenecks. Same options as `mobileNetV1`.
   */
  mobileNetV2(options?: MobileNetV2Options): tfType.LayersModel;
}

export interface LabModelsParts {
  reader?: (modelId: string) => ModelFileReader;
  trust?: HashTrustStore;
  log?: (message: string) => void;
}

export function createLabModels(tf: TF, parts: LabModelsParts = {}): LabModels {
  return {
    list: () =>
      PRETRAINED_MODELS.map((entry) => ({
        id: entry.id,
        title: entry.title,
        inputShape: [...entry.inputShape],
        inputRange: entry.inputRange,
        classes: entry.classes,
        ...(entry.classNames ? { classNames: [...entry.classNames] } : {}),
        source: entry.source.kind,
        licence: entry.licence,
        provenance: entry.provenance,
      })),
    async load(id: string, options: { inputShape?: [number, number, number] } = {}) {
      if (typeof id !== 'string' || !findPretrained(id)) {
        throw new Error(
          `lab.models.load: no pretrained model ${JSON.stringify(id)}; available: ${PRETRAINED_MODELS.map((e) => e.id).join(', ')}`,
        );
      }
      if (!parts.reader) throw new Error('lab.models.load: this environment offers no pretrained models');
      const model = await loadPretrained(tf, id, parts.reader(id), {
        trust: parts.trust,
        inputShape: options.inputShape,
      });
      parts.log?.(
        `Loaded pretrained ${id}: ${model.layers.length} layers, ${model.countParams().toLocaleString('en')} parameters`,
      );
      return model;
    },
    truncate: (model, layerName) => truncateAt(tf, model, layerName),
    freeze: (model, options) => freeze(model, options),
    unfreeze: (model, options) => unfreeze(model, options),
    blocks: (model) => listBlocks(model),
    trainableParams: (model) => countTrainableParams(model),
    mobileNetV1: (options) => buildMobileNetV1(tf, options),
    mobileNetV2: (options) => buildMobileNetV2(tf, options),
  };
}
