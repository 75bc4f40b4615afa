/**
 * A published TensorFlow.js graph model (TF Hub's image feature vectors, such as the ImageNet
 * MobileNet v2) as a frozen layer of a Keras-style model: what the course writes as
 * `hub.KerasLayer(feature_vector_url, trainable=False)` followed by a new `Dense` head.
 *
 * A graph model has no layers to freeze or cut, so it sits inside one layer, `PretrainedFeatures`,
 * that takes images in `[0, 1]` of any size, resizes them to the size the graph was exported for,
 * and returns the graph's feature vector. The layer has no weights of its own: a trained model
 * saves only its config (the registry id), so a submission stays small and the grader rebuilds it
 * by loading the same registered, hash-checked base (`loadPretrainedBases` in registry.ts) before
 * tfjs reads the topology.
 *
 * The graphs live here by registry id, one per thread (a run's sandbox, the lab worker, the CLI):
 * the layer's constructor finds its graph by the id in its config.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';

export const PRETRAINED_FEATURES_CLASS = 'PretrainedFeatures';

const graphs = new Map<string, tfType.GraphModel>();

export interface PretrainedFeaturesConfig {
  /** The registry id of the graph model. */
  modelId: string;
  /** [height, width] the graph was exported for; other sizes are resized to it. */
  imageSize: [number, number];
  /** Length of the feature vector the graph returns. */
  features: number;
  name?: string;
}

/** Keeps a loaded graph under its registry id for the layers that name it. */
export function rememberGraph(modelId: string, graph: tfType.GraphModel): void {
  const previous = graphs.get(modelId);
  if (previous && previous !== graph) previous.dispose();
  graphs.set(modelId, graph);
}

/** Frees a loaded graph (a removed model, a test that plays a fresh grader). */
export function disposeGraph(modelId: string): void {
  graphs.get(modelId)?.dispose();
  graphs.delete(modelId);
}

export function hasGraph(modelId: string): boolean {
  return graphs.has(modelId);
}

/** The registry ids a saved topology's `PretrainedFeatures` layers need, without repeats. */
export function graphBaseIds(topology: unknown): string[] {
  const found = new Set<string>();
  const visit = (node: unknown, depth: number): void => {
    if (depth > 64 || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child, depth + 1);
      return;
    }
    const record = node as Record<string, unknown>;
    const config = record.config as Record<string, unknown> | undefined;
    // A saved topology has Keras's snake_case keys (`model_id`); tfjs turns them back on loading.
    const id = config?.model_id ?? config?.modelId;
    if (record.class_name === PRETRAINED_FEATURES_CLASS && typeof id === 'string') found.add(id);
    for (const value of Object.values(record)) visit(value, depth + 1);
  };
  visit(topology, 0);
  return [...found];
}

type FeaturesLayer = tfType.layers.Layer;
type FeaturesLayerConstructor = new (config: PretrainedFeaturesConfig) => FeaturesLayer;
const classes = new WeakMap<object, FeaturesLayerConstructor>();

/** Defines (once per tfjs instance) and registers the layer class, so saved models load. */
export function registerPretrainedFeatures(tf: TF): FeaturesLayerConstructor {
  const known = classes.get(tf);
  if (known) return known;
  const LayerClass = class extends tf.layers.Layer {
    static className = PRETRAINED_FEATURES_CLASS;
    private readonly settings: PretrainedFeaturesConfig;

    constructor(config: PretrainedFeaturesConfig) {
      super({ name: config.name, trainable: false });
      this.settings = checkConfig(config);
      if (!graphs.has(this.settings.modelId)) {
        throw new Error(
          `the pretrained base ${this.settings.modelId} is not loaded here: load it with ` +
            `lab.models.load('${this.settings.modelId}') (npx cv-lab models fetch ${this.settings.modelId} in the CLI)`,
        );
      }
      // A graph model has no variables: nothing in it can train, whatever `trainable` says.
      this.trainable = false;
    }

    override computeOutputShape(inputShape: tfType.Shape | tfType.Shape[]): tfType.Shape {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfType.Shape;
      return [shape[0], this.settings.features];
    }

    override call(inputs: tfType.Tensor | tfType.Tensor[]): tfType.Tensor {
      return tf.tidy(() => {
        const graph = graphs.get(this.settings.modelId);
        if (!graph) throw new Error(`the pretrained base ${this.settings.modelId} was disposed`);
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tfType.Tensor4D;
        if (x.rank !== 4 || x.shape[3] !== 3) {
          throw new Error(
            `${PRETRAINED_FEATURES_CLASS} (${this.settings.modelId}) takes RGB images [batch, height, width, 3], got [${x.shape.join(', ')}]`,
          );
        }
        const [height, width] = this.settings.imageSize;
        const sized =
          x.shape[1] === height && x.shape[2] === width ? x : tf.image.resizeBilinear(x, [height, width]);
        const out = graph.predict(sized) as tfType.Tensor;
        // A graph that stops before its pooling gives [batch, h, w, c]: average it as Keras's `pooling='avg'`.
        return out.rank === 4 ? tf.mean(out, [1, 2]) : out;
      });
    }

    override getConfig(): tfType.serialization.ConfigDict {
      const { modelId, imageSize, features } = this.settings;
      return { ...super.getConfig(), modelId, imageSize: [...imageSize], features };
    }
  };
  tf.serialization.registerClass(LayerClass);
  classes.set(tf, LayerClass as unknown as FeaturesLayerConstructor);
  return LayerClass as unknown as FeaturesLayerConstructor;
}

function checkConfig(config: PretrainedFeaturesConfig): PretrainedFeaturesConfig {
  const { modelId, imageSize, features } = config ?? ({} as PretrainedFeaturesConfig);
  const positive = (n: unknown) => Number.isInteger(n) && (n as number) > 0 && (n as number) <= 100_000;
  if (typeof modelId !== 'string' || !modelId)
    throw new Error(`${PRETRAINED_FEATURES_CLASS}: modelId missing`);
  if (!Array.isArray(imageSize) || imageSize.length !== 2 || !imageSize.every(positive)) {
    throw new Error(`${PRETRAINED_FEATURES_CLASS}: imageSize must be [height, width]`);
  }
  if (!positive(features)) throw new Error(`${PRETRAINED_FEATURES_CLASS}: features must be a positive count`);
  return { modelId, imageSize: [imageSize[0], imageSize[1]], features, name: config.name };
}
