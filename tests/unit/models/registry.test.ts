/**
 * The pretrained-model registry: our committed model loads offline with its hashes checked and a
 * changed file is refused by name; a published (`url`) model is fetched from a local server, cached,
 * trusted on first use, and refused when its bytes change or a file is missing.
 */
import * as tf from '@tensorflow/tfjs';
import { createServer, type Server } from 'node:http';
import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { bundledModelsRoot, fileTrustStore, nodeModelReader } from '../../../src/cli/models/model-files';
import { PRETRAIN_RECIPES } from '../../../src/cli/commands/models';
import { datasetFolder, fsDatasetReader } from '../../../src/cli/datasets/fs-reader';
import { sha256Hex } from '../../../src/core/shared/bytes';
import { datasetHash, readManifest } from '../../../src/core/datasets/load';
import {
  findPretrained,
  loadPretrained,
  ModelFileError,
  SYMBOLS_MOBILENET_ID,
  type PretrainedEntry,
} from '../../../src/core/models/registry';

let work: string;
let server: Server;
let baseUrl: string;
/** Bytes the local server serves, by path. */
const served = new Map<string, Uint8Array>();

/** Saves a tiny dense model in the tfjs layers format (model.json + one shard). */
async function tinyModelFiles(): Promise<Map<string, Uint8Array>> {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [4], units: 2, activation: 'softmax', name: 'tiny' })],
  });
  model.setWeights([tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]), tf.tensor1d([0.5, -0.5])]);
  const files = new Map<string, Uint8Array>();
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const json = {
        format: 'layers-model',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs }],
      };
      files.set('model.json', new TextEncoder().encode(JSON.stringify(json)));
      files.set(
        'group1-shard1of1.bin',
        new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!)),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return files;
}

const urlEntry = (id: string, sha256: Record<string, string> | null = null): PretrainedEntry => ({
  ...findPretrained('imagenet-mobilenet-v1-0.25-224')!,
  id,
  inputShape: [1, 1, 4],
  classes: 2,
  source: { kind: 'url', url: `${baseUrl}model.json` },
  sha256,
});

beforeAll(async () => {
  await initNodeBackend('wasm');
  work = await mkdtemp(path.join(tmpdir(), 'cv-lab-models-'));
  for (const [name, bytes] of await tinyModelFiles()) served.set(`/tiny/${name}`, bytes);
  server = createServer((request, response) => {
    const body = served.get(request.url ?? '');
    if (!body) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tiny/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(work, { recursive: true, force: true });
});

describe('our bundled model', () => {
  it('loads offline from public/models, hashes checked', async () => {
    const model = await loadPretrained(tf, SYMBOLS_MOBILENET_ID, nodeModelReader(SYMBOLS_MOBILENET_ID));
    expect(model.inputs[0].shape).toEqual([null, 48, 48, 3]);
    expect(model.outputs[0].shape).toEqual([null, 20]);
    expect(model.getLayer('conv_pw_13_relu')).toBeDefined();
    model.dispose();
  });

  it('builds for another image size with the same weights, but refuses other channels', async () => {
    const reader = nodeModelReader(SYMBOLS_MOBILENET_ID);
    const wide = await loadPretrained(tf, SYMBOLS_MOBILENET_ID, reader, { inputShape: [96, 96, 3] });
    expect(wide.inputs[0].shape).toEqual([null, 96, 96, 3]);
    expect(wide.countParams()).toBe(223_684);
    wide.dispose();
    await expect(
      loadPretrained(tf, SYMBOLS_MOBILENET_ID, reader, { inputShape: [96, 96, 1] }),
    ).rejects.toThrow(/takes 3 channels; inputShape may change the height and width only/);
  });

  it('records in its provenance the hashes the registry checks', async () => {
    const provenance = JSON.parse(
      await readFile(path.join(bundledModelsRoot(), SYMBOLS_MOBILENET_ID, 'provenance.json'), 'utf8'),
    );
    expect(provenance.sha256).toEqual(findPretrained(SYMBOLS_MOBILENET_ID)!.sha256);
    expect(provenance.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(provenance.history).toHaveLength(provenance.recipe.epochs + provenance.recipe.annealEpochs);
    expect(provenance.recipe.seed).toBeTypeOf('number');
  });

  it('was trained by the current recipe on the current symbols data (its provenance is not stale)', async () => {
    const provenance = JSON.parse(
      await readFile(path.join(bundledModelsRoot(), SYMBOLS_MOBILENET_ID, 'provenance.json'), 'utf8'),
    );
    const recipe = PRETRAIN_RECIPES.find((r) => r.id === SYMBOLS_MOBILENET_ID)!;
    expect(provenance.recipe).toMatchObject({ ...recipe });
    expect(provenance.recipe.trainCount).toBe(provenance.data.trainImages + provenance.data.validationImages);
    // Regenerating `symbols` (a new generator version) changes its hash: re-run pretrain then.
    const manifest = await readManifest(fsDatasetReader(datasetFolder(recipe.dataset)));
    expect(provenance.data.source).toBe(manifest.source);
    expect(provenance.data.datasetHash).toBe(await datasetHash(manifest));
  });

  it('refuses a changed weight file, naming it', async () => {
    const root = path.join(work, 'bundled');
    await cp(path.join(bundledModelsRoot(), SYMBOLS_MOBILENET_ID), path.join(root, SYMBOLS_MOBILENET_ID), {
      recursive: true,
    });
    const weights = path.join(root, SYMBOLS_MOBILENET_ID, 'weights.bin');
    const bytes = await readFile(weights);
    bytes[100] ^= 0xff;
    await writeFile(weights, bytes);
    const reader = nodeModelReader(SYMBOLS_MOBILENET_ID, { bundledRoot: root });
    const loading = loadPretrained(tf, SYMBOLS_MOBILENET_ID, reader);
    await expect(loading).rejects.toThrow(ModelFileError);
    await expect(loadPretrained(tf, SYMBOLS_MOBILENET_ID, reader)).rejects.toThrow(
      /weights\.bin has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}: the file was changed/,
    );
  });

  it('says which file is missing', async () => {
    const reader = nodeModelReader(SYMBOLS_MOBILENET_ID, { bundledRoot: path.join(work, 'nowhere') });
    await expect(loadPretrained(tf, SYMBOLS_MOBILENET_ID, reader)).rejects.toThrow(
      /cannot read model\.json: missing/,
    );
  });
});

describe('a published model from a URL', () => {
  it('is fetched, cached and trusted on first use; then refused if the cache changes', async () => {
    const cacheRoot = path.join(work, 'cache-tofu');
    const entry = urlEntry('tiny-tofu');
    const trust = fileTrustStore(cacheRoot);
    const reader = () => nodeModelReader(entry.id, { entry, cacheRoot });

    const model = await loadPretrained(tf, entry.id, reader(), { entry, trust });
    const out = model.predict(tf.tensor2d([[1, 0, 0, 0]])) as tf.Tensor;
    // softmax([1.5, 1.5]) from the weights the fixture was saved with.
    expect(Array.from(out.dataSync())).toEqual([0.5, 0.5]);
    model.dispose();

    const recorded = await trust.get(entry.id);
    expect(recorded).toEqual({
      'model.json': await sha256Hex(served.get('/tiny/model.json')!),
      'group1-shard1of1.bin': await sha256Hex(served.get('/tiny/group1-shard1of1.bin')!),
    });
    const cached = path.join(cacheRoot, entry.id, 'files', 'group1-shard1of1.bin');
    expect(new Uint8Array(await readFile(cached))).toEqual(served.get('/tiny/group1-shard1of1.bin'));

    // Offline now: the cache serves it.
    const offline = nodeModelReader(entry.id, { entry, cacheRoot, baseUrl: 'http://127.0.0.1:9/' });
    (await loadPretrained(tf, entry.id, offline, { entry, trust })).dispose();

    const changed = new Uint8Array(await readFile(cached));
    changed[0] ^= 1;
    await writeFile(cached, changed);
    await expect(loadPretrained(tf, entry.id, offline, { entry, trust })).rejects.toThrow(
      /group1-shard1of1\.bin has SHA-256 .* since it was first fetched/,
    );
  });

  it('refuses a file whose hash differs from a known one', async () => {
    const cacheRoot = path.join(work, 'cache-known');
    const entry = urlEntry('tiny-known', {
      'model.json': await sha256Hex(served.get('/tiny/model.json')!),
      'group1-shard1of1.bin': '0'.repeat(64),
    });
    const error = await loadPretrained(tf, entry.id, nodeModelReader(entry.id, { entry, cacheRoot }), {
      entry,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as ModelFileError).file).toBe('group1-shard1of1.bin');
  });

  it('names the file the server does not have (404)', async () => {
    const cacheRoot = path.join(work, 'cache-404');
    await mkdir(cacheRoot, { recursive: true });
    const entry = urlEntry('tiny-404');
    const reader = nodeModelReader(entry.id, {
      entry,
      cacheRoot,
      baseUrl: baseUrl.replace('/tiny/', '/gone/'),
    });
    await expect(loadPretrained(tf, entry.id, reader, { entry })).rejects.toThrow(
      /cannot read model\.json: .*\/gone\/model\.json answered HTTP 404/,
    );
    served.delete('/tiny/group1-shard1of1.bin');
    const halfThere = nodeModelReader(entry.id, { entry, cacheRoot: path.join(work, 'cache-404b') });
    await expect(loadPretrained(tf, entry.id, halfThere, { entry })).rejects.toThrow(
      /cannot read group1-shard1of1\.bin: .*HTTP 404/,
    );
  });
});
