/**
 * Transfer-learning helpers on a `tf.LayersModel`: cut a model at a layer, freeze and unfreeze its
 * layers, and list its blocks (MobileNet's `conv_dw_N` / `conv_pw_N` pairs) so a learner can pick
 * which blocks to fine-tune.
 *
 * Freezing follows Keras 2 semantics, not tfjs's: a frozen BatchNormalization layer normalises with
 * its moving statistics and does not update them, even inside `fit`. tfjs's own layer ignores
 * `trainable` and keeps updating its moving mean and variance from each training batch, which both
 * changes a "frozen" base and makes it behave differently in training and at test time (the classic
 * reason a frozen MobileNet head "trains well and tests badly").
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';

type LayersModel = tfType.LayersModel;
type Layer = tfType.layers.Layer;

/** A group of consecutive layers that belong together (one MobileNet block, the stem, the head). */
export interface ModelBlock {
  name: string;
  layers: string[];
  params: number;
  trainableParams: number;
}

/**
 * A feature extractor: the model's inputs up to the output of `layerName` (inclusive). The new
 * model shares its layers and weights with the original (no copy): freezing one freezes both.
 */
export function truncateAt(tf: TF, model: LayersModel, layerName: string): LayersModel {
  const layer = findLayer(model, layerName);
  return tf.model({
    inputs: model.inputs,
    outputs: layer.output as tfType.SymbolicTensor,
    name: `${model.name}_to_${layerName}`,
  });
}

export interface FreezeOptions {
  /** Freeze layers from the first up to this one (inclusive); the rest are left as they are. */
  upTo?: string;
}

/**
 * Makes layers non-trainable: all of them, or those up to `upTo`. Call `model.compile` after
 * freezing or unfreezing: tfjs collects the trainable weights when a model is compiled.
 */
export function freeze(model: LayersModel, options: FreezeOptions = {}): void {
  const layers = flatLayers(model);
  const end = options.upTo === undefined ? layers.length - 1 : indexOfLayer(model, layers, options.upTo);
  layers.slice(0, end + 1).forEach((layer) => setTrainable(layer, false));
  if (options.upTo === undefined) model.trainable = false;
}

export interface UnfreezeOptions {
  /** Unfreeze this layer or block (a name from `listBlocks`) and every layer after it. */
  from?: string;
  /**
   * Leave the BatchNormalization layers frozen (inference mode, pretrained statistics) while the
   * convolutions around them train: Keras's advice for fine-tuning, since small batches of a new
   * dataset re-estimate the statistics badly and undo what the base learnt.
   */
  keepBatchNormFrozen?: boolean;
}

/** Makes layers trainable again: all of them, or from `from` to the end. Recompile afterwards. */
export function unfreeze(model: LayersModel, options: UnfreezeOptions = {}): void {
  const layers = flatLayers(model);
  let start = 0;
  if (options.from !== undefined) {
    const block = listBlocks(model).find((b) => b.name === options.from);
    start = indexOfLayer(model, layers, block ? block.layers[0] : options.from);
  }
  // A model's `trainable` gates all of its layers: open it (and any nested model) first, then
  // leave the layers before `start` as they were.
  const before = layers.map((layer) => layer.trainable);
  containers(model).forEach((container) => (container.trainable = true));
  layers.forEach((layer, i) => {
    const batchNorm = layer.getClassName() === 'BatchNormalization';
    const opened = i >= start && !(batchNorm && options.keepBatchNormFrozen);
    setTrainable(layer, opened ? true : before[i]);
  });
}

/** How many trainable parameters a model has now (what `fit` will change after `compile`). */
export function countTrainableParams(model: LayersModel): number {
  return sumSizes(model.trainableWeights);
}

function sumSizes(weights: { shape: (number | null)[] }[]): number {
  return weights.reduce((sum, w) => sum + w.shape.reduce((n: number, d) => n * (d ?? 1), 1), 0);
}

/**
 * The model's layers grouped into blocks: `stem` (the first convolution and its batch norm and
 * activation), `block_N` (MobileNet v1's `conv_dw_N*` and `conv_pw_N*` layers, v2's `block_N_*`,
 * with v2's first block `expanded_conv_*` as `block_0`), and one block per other layer (pooling,
 * dense, ...). A model that is not a MobileNet gets one block per layer.
 */
export function listBlocks(model: LayersModel): ModelBlock[] {
  const blocks: ModelBlock[] = [];
  for (const layer of flatLayers(model)) {
    if (layer.getClassName() === 'InputLayer') continue;
    const name = blockName(layer.name);
    let block = blocks.at(-1);
    if (!block || block.name !== name) {
      block = { name, layers: [], params: 0, trainableParams: 0 };
      blocks.push(block);
    }
    block.layers.push(layer.name);
    block.params += layer.countParams();
    block.trainableParams += sumSizes(layer.trainableWeights);
  }
  return blocks;
}

function blockName(layerName: string): string {
  const mobileNetBlock = /^(?:conv_(?:dw|pw)_|block_)(\d+)(?:_|$)/.exec(layerName);
  if (mobileNetBlock) return `block_${mobileNetBlock[1]}`;
  if (/^expanded_conv_/.test(layerName)) return 'block_0';
  if (/^(?:conv1(?:_|$)|Conv1(?:_|$)|bn_Conv1$)/.test(layerName)) return 'stem';
  return layerName;
}

/** Every layer, nested models opened, in order. */
function flatLayers(model: LayersModel): Layer[] {
  const out: Layer[] = [];
  const visit = (layer: Layer) => {
    const inner = (layer as unknown as { layers?: Layer[] }).layers;
    if (Array.isArray(inner)) inner.forEach(visit);
    else out.push(layer);
  };
  model.layers.forEach(visit);
  return out;
}

function findLayer(model: LayersModel, name: string): Layer {
  const layer = flatLayers(model).find((l) => l.name === name);
  if (!layer) throw new Error(noSuchLayer(model, name));
  return layer;
}

function indexOfLayer(model: LayersModel, layers: Layer[], name: string): number {
  const index = layers.findIndex((l) => l.name === name);
  if (index < 0) throw new Error(noSuchLayer(model, name));
  return index;
}

function noSuchLayer(model: LayersModel, name: string): string {
  const names = flatLayers(model).map((l) => l.name);
  const shown = names.length > 12 ? [...names.slice(0, 6), '…', ...names.slice(-5)] : names;
  return `model ${model.name} has no layer named "${name}" (its layers: ${shown.join(', ')})`;
}

/** The model and every model nested in it. */
function containers(model: LayersModel): LayersModel[] {
  const out: LayersModel[] = [model];
  const visit = (layer: Layer) => {
    const inner = (layer as unknown as { layers?: Layer[] }).layers;
    if (Array.isArray(inner)) {
      out.push(layer as unknown as LayersModel);
      inner.forEach(visit);
    }
  };
  model.layers.forEach(visit);
  return out;
}

const FROZEN_BN = Symbol('cv-lab frozen batch norm');

function setTrainable(layer: Layer, trainable: boolean): void {
  layer.trainable = trainable;
  if (layer.getClassName() === 'BatchNormalization') patchBatchNorm(layer);
}

/**
 * Makes a BatchNormalization layer run in inference mode while it is frozen (see the file comment).
 * The patch lives on the instance and reads `trainable` at each call, so unfreezing restores the
 * usual training behaviour; it does not travel with a saved model, which only matters for training.
 */
function patchBatchNorm(layer: Layer): void {
  const patched = layer as Layer & { [FROZEN_BN]?: true };
  if (patched[FROZEN_BN]) return;
  const call = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => call(inputs, layer.trainable ? kwargs : { ...kwargs, training: false });
  patched[FROZEN_BN] = true;
}
