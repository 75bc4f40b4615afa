/**
 * The pretrained-model registry: every model a learner can `lab.models.load(id)`, where its files
 * come from, their SHA-256, licence and provenance, and the one function that loads them.
 *
 * Two kinds of source:
 * - `bundled`: committed under `public/models/<id>/` (model.json, weights, provenance.json), trained
 *   by our own script (`npx cv-lab models pretrain <id>`); the hashes below are the committed files',
 *   so a changed file is refused by name. Works offline everywhere.
 * - `url`: fetched from its canonical location when online and cached (Node: `.cache/models/`).
 *   Google publishes no hashes for the TensorFlow.js MobileNet files, so their hashes are
 *   trust-on-first-use: recorded by the `HashTrustStore` on the first successful load and enforced
 *   on every later one (a cached or re-fetched file that changed is refused by name).
 *
 * Which bytes a file has is the environment's business (`ModelFileReader`: fs, fetch, a cache);
 * checking them and building the model is this module's, the same in the browser and in Node.
 */
import type * as tfType from '@tensorflow/tfjs';
import { SYMBOLS_CLASS_NAMES } from '../datasets/generate/symbols';
import { sha256Hex } from '../shared/bytes';
import type { TF } from '../shared/tf';
import { graphBaseIds, hasGraph, registerPretrainedFeatures, rememberGraph } from './graph-features';

/** Reads one file of a model by its path relative to the model's folder or base URL. */
export type ModelFileReader = (path: string) => Promise<Uint8Array>;

/** Remembers the SHA-256 of a `url` model's files after its first load (trust on first use). */
export interface HashTrustStore {
  get(modelId: string): Promise<Record<string, string> | undefined>;
  remember(modelId: string, hashes: Record<string, string>): Promise<void>;
}

export type PretrainedSource =
  /** Committed with the app: `public/<path>` (served as `/<path>`). */
  | { kind: 'bundled'; path: string }
  /** The URL of `model.json`; the weight files are read relative to it. */
  | { kind: 'url'; url: string };

export interface PretrainedEntry {
  id: string;
  title: string;
  architecture: string;
  /** The input the model expects: one image [height, width, channels]. */
  inputShape: [number, number, number];
  /** How pixels must be scaled before they go in. */
  inputRange: '[0, 1]' | '[-1, 1]';
  /** Output classes of the top layer (ImageNet: 1000, not listed); 0 for a feature vector without one. */
  classes: number;
  classNames?: string[];
  source: PretrainedSource;
  /** SHA-256 of each file by path, or `null`: no published hashes, trust on first use. */
  sha256: Record<string, string> | null;
  licence: string;
  /** Data, seed, recipe and accuracy, or who published it. */
  provenance: string;
}

export const SYMBOLS_MOBILENET_ID = 'symbols-mobilenet-v1-0.25';
export const IMAGENET_MOBILENET_ID = 'imagenet-mobilenet-v1-0.25-224';
export const IMAGENET_MOBILENET_V2_ID = 'imagenet-mobilenet-v2-1.0-224-features';

export const PRETRAINED_MODELS: readonly PretrainedEntry[] = [
  {
    id: SYMBOLS_MOBILENET_ID,
    title: 'MobileNet v1 (alpha 0.25, 48×48 RGB) pretrained on 20 classes of symbols',
    architecture: 'MobileNet v1, alpha 0.25 (src/core/models/mobilenet.ts)',
    inputShape: [48, 48, 3],
    inputRange: '[0, 1]',
    classes: 20,
    classNames: [...SYMBOLS_CLASS_NAMES],
    source: { kind: 'bundled', path: `models/${SYMBOLS_MOBILENET_ID}/` },
    sha256: {
      'model.json': '1b164861f551ac5cbb926170fbd75e203dc1e95eca3644b99164a7637394386d',
      'weights.bin': 'd789b000fda3d66deb2a55681e444ce5c92603800f5ec9c532be39671c33004a',
    },
    licence: 'CC0-1.0 (trained by this project on its own generated data)',
    provenance: `public/models/${SYMBOLS_MOBILENET_ID}/provenance.json: trained by \`npx cv-lab models pretrain ${SYMBOLS_MOBILENET_ID}\``,
  },
  {
    id: IMAGENET_MOBILENET_ID,
    title: 'MobileNet v1 (alpha 0.25, 224×224 RGB) trained on ImageNet, published for TensorFlow.js',
    architecture: 'MobileNet v1, alpha 0.25 (Keras layers model)',
    inputShape: [224, 224, 3],
    inputRange: '[-1, 1]',
    classes: 1000,
    source: {
      kind: 'url',
      url: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json',
    },
    sha256: null,
    licence: 'Apache-2.0 (TensorFlow.js models, Google)',
    provenance:
      'Published by the TensorFlow.js team (tfjs-models); converted from the Keras MobileNet ImageNet weights. ' +
      'No hashes are published: trust on first use.',
  },
  {
    id: IMAGENET_MOBILENET_V2_ID,
    title: 'MobileNet v2 (alpha 1.0, 224×224 RGB) ImageNet feature vector, published for TensorFlow.js',
    architecture:
      'MobileNet v2, alpha 1.0, without its classifier: a TensorFlow.js graph model, loaded as one frozen ' +
      'layer (PretrainedFeatures) that returns 1,280 features per image',
    inputShape: [224, 224, 3],
    inputRange: '[0, 1]',
    classes: 0,
    source: {
      kind: 'url',
      url: 'https://storage.googleapis.com/tfhub-tfjs-modules/google/tfjs-model/imagenet/mobilenet_v2_100_224/feature_vector/3/default/1/model.json',
    },
    sha256: null,
    licence: 'Apache-2.0 (TF Hub / Kaggle Models, Google)',
    provenance:
      'TF Hub google/tfjs-model/imagenet/mobilenet_v2_100_224/feature_vector/3 (now on Kaggle Models as ' +
      'google/mobilenet-v2, TfJs 100-224-feature-vector v3): the TF.js conversion of ' +
      'google/imagenet/mobilenet_v2_100_224/feature_vector, the base the course uses with hub.KerasLayer. ' +
      'Served from its TF Hub storage bucket; no hashes are published: trust on first use.',
  },
];

export function findPretrained(id: string): PretrainedEntry | undefined {
  return PRETRAINED_MODELS.find((entry) => entry.id === id);
}

/** A model file failed its check: `file` names it, the message says what to do. */
export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'ModelFileError';
  }
}

export interface LoadPretrainedOptions {
  /** Where trust-on-first-use hashes live; without one they are checked within this load only. */
  trust?: HashTrustStore;
  /** Use this entry instead of the registry's (tests, a lead's own model). */
  entry?: PretrainedEntry;
  /**
   * Build the model for another image size, e.g. `[96, 96, 3]` for a base trained at 48×48: a
   * convolutional network's weights do not depend on the image size (only on the channels), as
   * with Keras's `MobileNet(input_shape=..., weights=...)`. The channels must stay the same.
   */
  inputShape?: [number, number, number];
}

interface ModelJson {
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: tfType.io.WeightsManifestEntry[] }[];
  /** `graph-model` for a converted TensorFlow graph (TF Hub's), else a Keras layers model. */
  format?: string;
  signature?: Record<string, unknown>;
  generatedBy?: string;
  convertedBy?: string | null;
}

/**
 * Loads a registered pretrained model: reads `model.json` and every weight file through `reader`,
 * checks each file's SHA-256 (the registry's, or the trust store's for a `url` model seen before),
 * and builds the `tf.LayersModel`. Throws a `ModelFileError` naming the file that is missing or
 * changed. The caller owns (and disposes) the model.
 */
export async function loadPretrained(
  tf: TF,
  id: string,
  reader: ModelFileReader,
  options: LoadPretrainedOptions = {},
): Promise<tfType.LayersModel> {
  const entry = options.entry ?? findPretrained(id);
  if (!entry) {
    throw new Error(
      `no pretrained model "${id}"; available: ${PRETRAINED_MODELS.map((e) => e.id).join(', ')}`,
    );
  }
  const trusted = entry.sha256 ?? (await options.trust?.get(entry.id));
  const seen: Record<string, string> = {};
  const readChecked = async (path: string): Promise<Uint8Array> => {
    let bytes: Uint8Array;
    try {
      bytes = await reader(path);
    } catch (error) {
      throw new ModelFileError(
        path,
        `model ${entry.id}: cannot read ${path}: ${(error as Error).message ?? error}`,
      );
    }
    const hash = await sha256Hex(bytes);
    const expected = trusted?.[path];
    if (trusted && expected !== hash) {
      throw new ModelFileError(
        path,
        expected
          ? `model ${entry.id}: ${path} has SHA-256 ${hash}, expected ${expected}: the file was changed or corrupted` +
              (entry.sha256
                ? ''
                : ' since it was first fetched (clear the model cache to trust the new file)')
          : `model ${entry.id}: ${path} is not among the files recorded for this model`,
      );
    }
    seen[path] = hash;
    return bytes;
  };

  const modelJson = parseModelJson(entry.id, await readChecked('model.json'));
  const weightSpecs: tfType.io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest) {
    for (const path of group.paths) shards.push(await readChecked(path));
    weightSpecs.push(...group.weights);
  }
  const weightData = concatBytes(shards);
  const model = isGraphModel(modelJson)
    ? await graphAsLayersModel(tf, entry, modelJson, weightSpecs, weightData, options.inputShape)
    : await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: options.inputShape
            ? withInputShape(entry, modelJson.modelTopology, options.inputShape)
            : modelJson.modelTopology,
          weightSpecs,
          weightData,
        }),
      );
  if (!entry.sha256 && !trusted) await options.trust?.remember(entry.id, seen);
  return model;
}

/**
 * A graph model (TF Hub's feature vectors) as a Keras-style model of one frozen `PretrainedFeatures`
 * layer: images of `inputShape` (default the entry's) in, the graph's feature vector out. The graph
 * is kept by id for every layer that names it (graph-features.ts).
 */
async function graphAsLayersModel(
  tf: TF,
  entry: PretrainedEntry,
  modelJson: ModelJson,
  weightSpecs: tfType.io.WeightsManifestEntry[],
  weightData: ArrayBuffer,
  inputShape: [number, number, number] | undefined,
): Promise<tfType.LayersModel> {
  const shape = inputShape ?? entry.inputShape;
  checkInputShape(entry, shape);
  let graph: tfType.GraphModel;
  try {
    graph = await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs,
        weightData,
        format: 'graph-model',
        ...(modelJson.signature ? { signature: modelJson.signature } : {}),
      }),
    );
  } catch (error) {
    throw new ModelFileError(
      'model.json',
      `model ${entry.id}: not a graph model tfjs can load: ${(error as Error).message}`,
    );
  }
  const [height, width] = entry.inputShape;
  // One forward pass on a blank image: the feature vector's length (and a warm-up, as tfjs-models does).
  const features = tf.tidy(() => {
    const out = graph.predict(tf.zeros([1, height, width, entry.inputShape[2]])) as tfType.Tensor;
    if (Array.isArray(out) || (out.rank !== 2 && out.rank !== 4)) {
      throw new ModelFileError(
        'model.json',
        `model ${entry.id}: the graph must return one [batch, features] tensor`,
      );
    }
    return out.shape[out.rank - 1];
  });
  rememberGraph(entry.id, graph);
  const FeaturesLayer = registerPretrainedFeatures(tf);
  const input = tf.input({ shape });
  const output = new FeaturesLayer({
    modelId: entry.id,
    imageSize: [height, width],
    features,
    name: 'feature_vector',
  }).apply(input) as tfType.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: entry.id.replace(/[^A-Za-z0-9_]/g, '_') });
}

/** A converted TensorFlow graph: says so, or (older converters) holds a GraphDef's `node` list. */
function isGraphModel(json: ModelJson): boolean {
  return json.format === 'graph-model' || Array.isArray((json.modelTopology as { node?: unknown }).node);
}

/**
 * Loads every registered graph base a saved topology names (its `PretrainedFeatures` layers) and
 * not yet loaded here, so tfjs can rebuild the model: the grader's side of a run that used one.
 */
export async function loadPretrainedBases(
  tf: TF,
  topology: unknown,
  reader: ((modelId: string) => ModelFileReader) | undefined,
  options: Pick<LoadPretrainedOptions, 'trust'> = {},
): Promise<void> {
  for (const id of graphBaseIds(topology)) {
    if (hasGraph(id)) continue;
    if (!findPretrained(id))
      throw new Error(`the model names a pretrained base "${id}" that is not in the registry`);
    if (!reader)
      throw new Error(
        `the model needs the pretrained base ${id}, and no pretrained models are available here`,
      );
    (await loadPretrained(tf, id, reader(id), options)).dispose();
  }
}

function checkInputShape(entry: PretrainedEntry, shape: [number, number, number]): void {
  const valid = shape.length === 3 && shape.every((d) => Number.isInteger(d) && d > 0 && d <= 1024);
  if (!valid) throw new Error(`inputShape must be [height, width, channels], got ${JSON.stringify(shape)}`);
  if (shape[2] !== entry.inputShape[2]) {
    throw new Error(
      `model ${entry.id} takes ${entry.inputShape[2]} channels; inputShape may change the height and width only ` +
        `(got ${shape[2]} channels: convert the images, e.g. gray to RGB with tf.layers.concatenate)`,
    );
  }
}

/** A copy of a Keras topology whose input layers take images of `shape`. */
function withInputShape(
  entry: PretrainedEntry,
  topology: Record<string, unknown>,
  shape: [number, number, number],
): Record<string, unknown> {
  checkInputShape(entry, shape);
  const copy = JSON.parse(JSON.stringify(topology)) as Record<string, unknown>;
  const modelConfig = (copy.model_config ?? copy) as { config?: { layers?: unknown[] } };
  let found = 0;
  for (const layer of modelConfig.config?.layers ?? []) {
    const { class_name: className, config } = layer as {
      class_name?: string;
      config?: Record<string, unknown>;
    };
    if (className === 'InputLayer' && config) {
      config.batch_input_shape = [null, ...shape];
      found++;
    }
  }
  if (!found) throw new Error(`model ${entry.id} has no input layer whose shape could be changed`);
  return copy;
}

function parseModelJson(id: string, bytes: Uint8Array): ModelJson {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ModelFileError('model.json', `model ${id}: model.json is not JSON`);
  }
  const json = value as Partial<ModelJson>;
  const manifestOk =
    Array.isArray(json.weightsManifest) &&
    json.weightsManifest.every((g) => Array.isArray(g?.paths) && Array.isArray(g?.weights));
  if (!json.modelTopology || typeof json.modelTopology !== 'object' || !manifestOk) {
    throw new ModelFileError(
      'model.json',
      `model ${id}: model.json needs modelTopology and weightsManifest (a tfjs layers or graph model)`,
    );
  }
  for (const path of json.weightsManifest!.flatMap((g) => g.paths)) {
    if (typeof path !== 'string' || path.includes('..') || path.startsWith('/') || /^[a-z]+:/i.test(path)) {
      throw new ModelFileError(
        'model.json',
        `model ${id}: weight path ${JSON.stringify(path)} is not a plain relative path`,
      );
    }
  }
  return json as ModelJson;
}

function concatBytes(parts: Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out.buffer;
}

/** A trust store that lives as long as the process or page (when nothing can be persisted). */
export function memoryTrustStore(): HashTrustStore {
  const records = new Map<string, Record<string, string>>();
  return {
    get: async (modelId) => records.get(modelId),
    remember: async (modelId, hashes) => void records.set(modelId, { ...hashes }),
  };
}
