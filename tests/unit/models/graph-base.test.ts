/**
 * The published ImageNet MobileNet v2 feature vector (a TensorFlow.js graph model) through the
 * registry path, with a miniature of it served by a local server: it loads as one frozen layer,
 * is trusted on first use and cached, a changed or wrong file is refused by name, a frozen base
 * with a new head trains and travels as its registry id, and a grader that never loaded it
 * rebuilds the model from the registry.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { fileTrustStore, nodeModelReader } from '../../../src/cli/models/model-files';
import { deserializeModel, serializeModel } from '../../../src/core/models/artifacts';
import { disposeGraph, graphBaseIds } from '../../../src/core/models/graph-features';
import { buildMobileNetV2 } from '../../../src/core/models/mobilenet';
import {
  findPretrained,
  IMAGENET_MOBILENET_V2_ID,
  loadPretrained,
  loadPretrainedBases,
  ModelFileError,
  type PretrainedEntry,
} from '../../../src/core/models/registry';
import { sha256Hex } from '../../../src/core/shared/bytes';
import { serveArchives } from '../../fixtures/datasets-more/images';
import { featureVectorGraphFiles } from '../../fixtures/models/feature-vector-graph';

const V2 = IMAGENET_MOBILENET_V2_ID;
let work: string;
let server: Awaited<ReturnType<typeof serveArchives>>;
const { files, features } = featureVectorGraphFiles(4);
let runs = 0;
const fresh = () => path.join(work, `cache-${runs++}`);
const reader = (cacheRoot: string) => nodeModelReader(V2, { cacheRoot, baseUrl: server.baseUrl });

beforeAll(async () => {
  await initNodeBackend('wasm');
  work = await mkdtemp(path.join(tmpdir(), 'cv-lab-graph-base-'));
  server = await serveArchives(files);
});
afterEach(() => disposeGraph(V2));
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

describe('the registry entry', () => {
  it('is the TF Hub TensorFlow.js feature vector of MobileNet v2 1.0 224, named with its licence', () => {
    const entry = findPretrained(V2)!;
    expect(entry.source).toEqual({
      kind: 'url',
      url: 'https://storage.googleapis.com/tfhub-tfjs-modules/google/tfjs-model/imagenet/mobilenet_v2_100_224/feature_vector/3/default/1/model.json',
    });
    expect(entry.inputShape).toEqual([224, 224, 3]);
    expect(entry.inputRange).toBe('[0, 1]');
    expect(entry.licence).toMatch(/^Apache-2\.0/);
    expect(entry.provenance).toMatch(/trust on first use/);
  });
});

describe('a graph base through the registry path', () => {
  it('loads as one frozen layer, is trusted on first use, cached and read offline', async () => {
    const cacheRoot = fresh();
    const trust = fileTrustStore(cacheRoot);
    const model = await loadPretrained(tf, V2, reader(cacheRoot), { trust });
    expect(model.inputs[0].shape).toEqual([null, 224, 224, 3]);
    expect(model.outputs[0].shape).toEqual([null, features]);
    expect(model.trainableWeights).toHaveLength(0);
    const out = model.predict(tf.ones([2, 224, 224, 3])) as tf.Tensor;
    expect(out.shape).toEqual([2, features]);
    model.dispose();
    expect(await trust.get(V2)).toEqual({
      'model.json': await sha256Hex(files.get('model.json')!),
      'group1-shard1of1.bin': await sha256Hex(files.get('group1-shard1of1.bin')!),
    });

    const offline = nodeModelReader(V2, { cacheRoot, baseUrl: 'http://127.0.0.1:9/' });
    (await loadPretrained(tf, V2, offline, { trust, inputShape: [16, 16, 3] })).dispose();

    const cached = path.join(cacheRoot, V2, 'files', 'group1-shard1of1.bin');
    const changed = new Uint8Array(await readFile(cached));
    changed[5] ^= 1;
    await writeFile(cached, changed);
    await expect(loadPretrained(tf, V2, offline, { trust })).rejects.toThrow(
      /group1-shard1of1\.bin has SHA-256 .* since it was first fetched/,
    );
  });

  it('refuses a file whose SHA-256 is not the expected one, naming it', async () => {
    const entry: PretrainedEntry = {
      ...findPretrained(V2)!,
      sha256: {
        'model.json': await sha256Hex(files.get('model.json')!),
        'group1-shard1of1.bin': '0'.repeat(64),
      },
    };
    const error = await loadPretrained(tf, V2, reader(fresh()), { entry }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as ModelFileError).file).toBe('group1-shard1of1.bin');
  });

  it('knows a graph by its GraphDef when an older converter wrote no format', async () => {
    const json = JSON.parse(new TextDecoder().decode(files.get('model.json')!));
    delete json.format;
    const unlabelled = new Map(files).set('model.json', new TextEncoder().encode(JSON.stringify(json)));
    const model = await loadPretrained(tf, V2, async (file) => unlabelled.get(file)!);
    expect(model.outputs[0].shape).toEqual([null, features]);
    model.dispose();
  });

  it('refuses other channels than RGB', async () => {
    await expect(loadPretrained(tf, V2, reader(fresh()), { inputShape: [32, 32, 1] })).rejects.toThrow(
      /takes 3 channels/,
    );
  });
});

describe('a frozen base with a new head', () => {
  it('trains the head only, travels as the base id, and a fresh grader rebuilds it from the registry', async () => {
    const cacheRoot = fresh();
    const base = await loadPretrained(tf, V2, reader(cacheRoot), { inputShape: [16, 16, 3] });
    const model = tf.sequential({
      layers: [base, tf.layers.dense({ units: 2, activation: 'softmax', name: 'head' })],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
    const xs = tf.concat([tf.zeros([4, 16, 16, 3]), tf.ones([4, 16, 16, 3])]);
    const ys = tf.oneHot(tf.tensor1d([0, 0, 0, 0, 1, 1, 1, 1], 'int32'), 2);
    const featuresBefore = (base.predict(xs) as tf.Tensor).arraySync();
    const history = await model.fit(xs, ys, { epochs: 5, batchSize: 8 });
    expect(model.trainableWeights.map((w) => w.name)).toEqual(['head/kernel', 'head/bias']);
    expect((base.predict(xs) as tf.Tensor).arraySync()).toEqual(featuresBefore);
    expect(history.history.loss).toHaveLength(5);

    const artifacts = await serializeModel(tf, model);
    expect(graphBaseIds(artifacts.modelTopology)).toEqual([V2]);
    // Only the head's weights travel: the base is its registry id.
    expect(artifacts.weightSpecs.map((s) => s.name)).toEqual(['head/kernel', 'head/bias']);
    const expected = (model.predict(xs) as tf.Tensor).arraySync();

    disposeGraph(V2); // a grader that never loaded the base
    await expect(deserializeModel(tf, artifacts)).rejects.toThrow(
      /the pretrained base imagenet-mobilenet-v2-1\.0-224-features is not loaded here/,
    );
    await loadPretrainedBases(tf, artifacts.modelTopology, () =>
      nodeModelReader(V2, { cacheRoot, baseUrl: 'http://127.0.0.1:9/' }),
    );
    const rebuilt = await deserializeModel(tf, artifacts);
    const got = (rebuilt.predict(xs) as tf.Tensor).arraySync() as number[][];
    (expected as number[][]).forEach((row, i) => row.forEach((v, j) => expect(got[i][j]).toBeCloseTo(v, 5)));

    await expect(
      loadPretrainedBases(tf, { class_name: 'PretrainedFeatures', config: { model_id: 'nope' } }, undefined),
    ).rejects.toThrow(/names a pretrained base "nope" that is not in the registry/);
  });
});

describe('a MobileNet v2 saved in the layers format', () => {
  it('loads through the same path and is refused when a file does not match', async () => {
    const v2 = buildMobileNetV2(tf, { alpha: 0.35, inputShape: [32, 32, 3], classes: 3 });
    const layerFiles = new Map<string, Uint8Array>();
    await v2.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const json = {
          format: 'layers-model',
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['v2-weights.bin'], weights: artifacts.weightSpecs }],
        };
        layerFiles.set('model.json', new TextEncoder().encode(JSON.stringify(json)));
        layerFiles.set(
          'v2-weights.bin',
          new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!)),
        );
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    v2.dispose();
    const local = await serveArchives(layerFiles);
    try {
      const entry: PretrainedEntry = {
        ...findPretrained(V2)!,
        id: 'fixture-mobilenet-v2-layers',
        inputShape: [32, 32, 3],
        sha256: {
          'model.json': await sha256Hex(layerFiles.get('model.json')!),
          'v2-weights.bin': await sha256Hex(layerFiles.get('v2-weights.bin')!),
        },
      };
      const read = () => nodeModelReader(entry.id, { entry, cacheRoot: fresh(), baseUrl: local.baseUrl });
      const model = await loadPretrained(tf, entry.id, read(), { entry });
      expect(model.getLayer('block_16_project')).toBeDefined();
      model.dispose();
      const wrong = { ...entry, sha256: { ...entry.sha256!, 'v2-weights.bin': 'f'.repeat(64) } };
      await expect(loadPretrained(tf, entry.id, read(), { entry: wrong })).rejects.toThrow(
        /v2-weights\.bin has SHA-256 [0-9a-f]{64}, expected f{64}: the file was changed or corrupted/,
      );
    } finally {
      await local.close();
    }
  });
});
