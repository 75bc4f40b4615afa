/**
 * Pretrained models offline: the service worker's route, the build's models index, the
 * all-or-nothing cache write, the lab worker's cache-aware reader and the page's "Make available
 * offline", against an in-memory Cache Storage and stubbed networks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { describeCacheError } from '../../../src/app/offline/offline-download';
import { makeModelAvailableOffline } from '../../../src/app/offline/model-offline';
import { parseModelsIndex } from '../../../src/app/offline/models-index';
import { routeRequest } from '../../../src/app/offline/sw-routes';
import { sha256Hex } from '../../../src/core/shared/bytes';
import {
  IMAGENET_MOBILENET_ID,
  SYMBOLS_MOBILENET_ID,
  findPretrained,
  type PretrainedEntry,
} from '../../../src/core/models/registry';
import { MODELS_CACHE } from '../../../src/storage/cache-names';
import { writeAllOrNothing } from '../../../src/storage/cache-write';
import {
  cachedModelState,
  modelFileUrl,
  modelTrustStore,
  removeModelFromCache,
  trustRecordUrl,
} from '../../../src/storage/model-cache';
import { labModelReader } from '../../../src/storage/model-reader';
import { buildModelsIndex } from '../../../scripts/vite-plugin-offline';
import { FakeCache, FakeCacheStorage } from './fake-cache-storage';

const origin = 'https://lab.example';
const encode = (text: string) => new TextEncoder().encode(text);
const modelJson = encode(
  JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w1.bin', 'w2.bin'], weights: [] }] }),
);
const modelFiles: Record<string, Uint8Array> = {
  'model.json': modelJson,
  'w1.bin': new Uint8Array([1, 2, 3]),
  'w2.bin': new Uint8Array([4, 5]),
};
const published = findPretrained(IMAGENET_MOBILENET_ID)!;
const bundledSymbols = findPretrained(SYMBOLS_MOBILENET_ID)!;

let storage: FakeCacheStorage;
beforeEach(() => {
  storage = new FakeCacheStorage();
  vi.stubGlobal('caches', storage);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

async function modelsCache(): Promise<FakeCache> {
  return storage.open(MODELS_CACHE);
}

/** A bundled entry whose registry hashes are those of `modelFiles` (the real ones may change). */
async function bundledEntry(): Promise<PretrainedEntry> {
  const sha256: Record<string, string> = {};
  for (const [file, bytes] of Object.entries(modelFiles)) sha256[file] = await sha256Hex(bytes);
  return {
    ...bundledSymbols,
    id: 'test-bundled',
    source: { kind: 'bundled', path: 'models/test-bundled/' },
    sha256,
  };
}

/** A `fetch` that serves `files` by URL and counts the requests. */
function stubFetch(files: Record<string, Uint8Array>): string[] {
  const requested: string[] = [];
  vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    requested.push(url.href);
    const bytes = files[url.href];
    return bytes ? new Response(bytes.slice(), { status: 200 }) : new Response('not found', { status: 404 });
  });
  return requested;
}

function filesAt(entry: PretrainedEntry, files: Record<string, Uint8Array>): Record<string, Uint8Array> {
  return Object.fromEntries(
    Object.entries(files).map(([file, bytes]) => [modelFileUrl(entry, file, origin), bytes]),
  );
}

describe('service worker route for models', () => {
  test('bundled model files are network first into the models cache; the page\u2019s own downloads pass', () => {
    const route = (p: string) => routeRequest(new URL(p, origin), 'cors', origin, new Set());
    expect(route('/models/symbols-mobilenet-v1-0.25/weights.bin')).toBe('model');
    expect(route('/models/index.json')).toBe('model');
    expect(route('/models/symbols-mobilenet-v1-0.25/model.json?cv-lab-download=1')).toBe('network');
    expect(
      routeRequest(
        new URL(published.source.kind === 'url' ? published.source.url : ''),
        'cors',
        origin,
        new Set(),
      ),
    ).toBe('network');
  });
});

describe('models index', () => {
  test('sizes model.json and the weight files it names; broken models are left out with a warning', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-lab-models-index-'));
    try {
      fs.mkdirSync(path.join(dir, 'good'));
      for (const [file, bytes] of Object.entries(modelFiles))
        fs.writeFileSync(path.join(dir, 'good', file), bytes);
      fs.writeFileSync(path.join(dir, 'good', 'provenance.json'), '{}');
      fs.mkdirSync(path.join(dir, 'no-weights'));
      fs.writeFileSync(path.join(dir, 'no-weights', 'model.json'), modelJson);
      fs.mkdirSync(path.join(dir, 'not-json'));
      fs.writeFileSync(path.join(dir, 'not-json', 'model.json'), 'oops');
      const warnings: string[] = [];
      const index = parseModelsIndex(buildModelsIndex(dir, (m) => warnings.push(m)));
      expect(index.models).toEqual([
        {
          id: 'good',
          files: [
            { path: 'model.json', bytes: modelJson.length },
            { path: 'w1.bin', bytes: 3 },
            { path: 'w2.bin', bytes: 2 },
          ],
          bytes: modelJson.length + 5,
        },
      ]);
      expect(warnings).toEqual([
        'models/index.json: skipping no-weights: w1.bin is missing',
        'models/index.json: skipping not-json: model not-json: model.json is not JSON',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the committed bundled models are in the index with their weight files', () => {
    const index = buildModelsIndex(path.resolve('public/models'), () => undefined);
    const symbols = index.models.find((m) => m.id === SYMBOLS_MOBILENET_ID);
    expect(symbols?.files.map((f) => f.path).sort()).toEqual(Object.keys(bundledSymbols.sha256 ?? {}).sort());
  });
});

describe('all-or-nothing cache write', () => {
  const files = [
    { url: `${origin}/a`, bytes: new Uint8Array([1]), contentType: 'application/octet-stream' },
    { url: `${origin}/b`, bytes: new Uint8Array([2]), contentType: 'application/octet-stream' },
    { url: `${origin}/marker`, bytes: new Uint8Array([3]), contentType: 'application/json' },
  ];

  test('writes every file, the marker last, with the isolation headers', async () => {
    const cache = new FakeCache();
    const order: string[] = [];
    const put = cache.put.bind(cache);
    cache.put = async (request, response) => {
      order.push(String(request));
      await put(request, response);
    };
    await writeAllOrNothing(cache, files);
    expect(order).toEqual([`${origin}/a`, `${origin}/b`, `${origin}/marker`]);
    const stored = await cache.match(`${origin}/a`);
    expect(stored?.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(stored?.headers.get('content-length')).toBe('1');
  });

  test('a full quota adds nothing, puts back the older marker, and says so clearly', async () => {
    const cache = new FakeCache();
    await cache.put(`${origin}/marker`, new Response('old'));
    cache.putsLeft = 1;
    const error = await writeAllOrNothing(cache, files).catch((e: unknown) => e);
    expect((error as DOMException).name).toBe('QuotaExceededError');
    expect([...cache.entries.keys()]).toEqual([`${origin}/marker`]);
    expect(cache.text(`${origin}/marker`)).toBe('old');
    expect(describeCacheError(error, 'symbols-mobilenet-v1-0.25', { complete: false, cachedBytes: 0 })).toBe(
      "Not enough storage to keep symbols-mobilenet-v1-0.25 offline: the browser's quota for this site is full. Nothing of it was cached before, so none is kept. Remove another dataset or model or free space, then try again.",
    );
  });
});

describe('the lab worker\u2019s model reader', () => {
  test('a published model is cached once all its files came from the network, then read offline', async () => {
    let online = true;
    const network = vi.fn(async (file: string) => {
      if (!online) throw new Error('Failed to fetch');
      const bytes = modelFiles[file];
      if (!bytes) throw new Error(`${file} answered HTTP 404`);
      return bytes;
    });
    const read = labModelReader(IMAGENET_MOBILENET_ID, origin, { network });
    expect(await read('model.json')).toEqual(modelJson);
    expect(await read('w1.bin')).toEqual(modelFiles['w1.bin']);
    // Not all files yet: nothing is cached, so an interrupted load leaves no half model.
    expect((await modelsCache()).entries.size).toBe(0);
    await read('w2.bin');
    expect(await cachedModelState(published, origin)).toEqual({
      complete: true,
      cachedBytes: modelJson.length + 5,
    });

    online = false;
    const offline = labModelReader(IMAGENET_MOBILENET_ID, origin, { network });
    expect(Array.from(await offline('w2.bin'))).toEqual([4, 5]);
    expect(await offline('model.json')).toEqual(modelJson);
  });

  test('files that differ from the recorded first-use hashes are not cached', async () => {
    const trust = modelTrustStore(origin);
    await trust.remember(IMAGENET_MOBILENET_ID, {
      'model.json': await sha256Hex(modelJson),
      'w1.bin': await sha256Hex(new Uint8Array([9])),
      'w2.bin': await sha256Hex(modelFiles['w2.bin']),
    });
    const read = labModelReader(IMAGENET_MOBILENET_ID, origin, {
      trust,
      network: async (f) => modelFiles[f],
    });
    for (const file of ['model.json', 'w1.bin', 'w2.bin']) await read(file);
    expect((await cachedModelState(published, origin)).cachedBytes).toBe(0);
  });

  test('a full quota does not fail the load', async () => {
    (await modelsCache()).putsLeft = 1;
    const read = labModelReader(IMAGENET_MOBILENET_ID, origin, { network: async (f) => modelFiles[f] });
    for (const file of ['model.json', 'w1.bin', 'w2.bin']) expect(await read(file)).toEqual(modelFiles[file]);
    expect((await modelsCache()).entries.size).toBe(0);
  });

  test('a complete cached copy that matches the record is not rewritten (a full quota cannot lose it)', async () => {
    stubFetch(filesAt(published, modelFiles));
    await makeModelAvailableOffline(published, () => undefined, { origin });
    (await modelsCache()).putsLeft = 0;
    const trust = modelTrustStore(origin);
    const read = labModelReader(IMAGENET_MOBILENET_ID, origin, {
      trust,
      network: async (f) => modelFiles[f],
    });
    for (const file of ['model.json', 'w1.bin', 'w2.bin']) await read(file);
    expect(await cachedModelState(published, origin)).toEqual({
      complete: true,
      cachedBytes: modelJson.length + 5,
    });
  });

  test('offline without a cached copy, the network\u2019s error stands', async () => {
    const read = labModelReader(SYMBOLS_MOBILENET_ID, origin, {
      network: async () => {
        throw new Error('Failed to fetch');
      },
    });
    await expect(read('model.json')).rejects.toThrow('Failed to fetch');
  });
});

describe('make a model available offline', () => {
  test('a bundled model: every file checked against the registry, then cached; Remove takes it all', async () => {
    const entry = await bundledEntry();
    const requested = stubFetch(filesAt(entry, modelFiles));
    const progress: number[] = [];
    const bytes = await makeModelAvailableOffline(entry, (p) => progress.push(p.loaded), { origin });
    expect(bytes).toBe(modelJson.length + 5);
    expect(progress.at(-1)).toBe(bytes);
    expect(requested).toEqual([
      `${origin}/models/test-bundled/model.json`,
      `${origin}/models/test-bundled/w1.bin`,
      `${origin}/models/test-bundled/w2.bin`,
    ]);
    expect(await cachedModelState(entry, origin)).toEqual({ complete: true, cachedBytes: bytes });
    // Bundled models have registry hashes: no trust record.
    expect((await modelsCache()).entries.has(trustRecordUrl(entry.id, origin))).toBe(false);

    await removeModelFromCache(entry, origin);
    expect(await cachedModelState(entry, origin)).toEqual({ complete: false, cachedBytes: 0 });
  });

  test('a bundled file that differs from the registry is refused by name, and nothing is kept', async () => {
    const entry = await bundledEntry();
    stubFetch(filesAt(entry, { ...modelFiles, 'w2.bin': new Uint8Array([4, 6]) }));
    const error = await makeModelAvailableOffline(entry, () => undefined, { origin }).catch(
      (e: unknown) => e,
    );
    expect(describeCacheError(error, entry.id, await cachedModelState(entry, origin))).toMatch(
      /^Could not make test-bundled available offline: model test-bundled: w2\.bin has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}: the file was changed or corrupted\. Nothing of it was cached before, so none is kept\.$/,
    );
    expect((await modelsCache()).entries.size).toBe(0);
  });

  test('a missing weight file stops the download before anything is written', async () => {
    const entry = await bundledEntry();
    stubFetch(filesAt(entry, { 'model.json': modelJson, 'w1.bin': modelFiles['w1.bin'] }));
    await expect(makeModelAvailableOffline(entry, () => undefined, { origin })).rejects.toThrow(
      '/models/test-bundled/w2.bin answered HTTP 404',
    );
    expect((await modelsCache()).entries.size).toBe(0);
  });

  test('a full quota keeps nothing', async () => {
    const entry = await bundledEntry();
    stubFetch(filesAt(entry, modelFiles));
    (await modelsCache()).putsLeft = 2;
    const error = await makeModelAvailableOffline(entry, () => undefined, { origin }).catch(
      (e: unknown) => e,
    );
    expect(describeCacheError(error, entry.id, await cachedModelState(entry, origin))).toMatch(
      /^Not enough storage to keep test-bundled offline/,
    );
    expect((await modelsCache()).entries.size).toBe(0);
  });

  test('a published model: first use records its hashes, which the worker then enforces', async () => {
    stubFetch(filesAt(published, modelFiles));
    await makeModelAvailableOffline(published, () => undefined, { origin });
    expect(await cachedModelState(published, origin)).toMatchObject({ complete: true });
    const recorded = await modelTrustStore(origin).get(IMAGENET_MOBILENET_ID);
    expect(recorded).toEqual({
      'model.json': await sha256Hex(modelJson),
      'w1.bin': await sha256Hex(modelFiles['w1.bin']),
      'w2.bin': await sha256Hex(modelFiles['w2.bin']),
    });

    // The file changed upstream: refused against the record, the cached copy left as it was.
    stubFetch(filesAt(published, { ...modelFiles, 'w1.bin': new Uint8Array([7, 7, 7]) }));
    await expect(makeModelAvailableOffline(published, () => undefined, { origin })).rejects.toThrow(
      /w1\.bin has SHA-256 .* since it was first fetched/,
    );
    expect(await cachedModelState(published, origin)).toMatchObject({ complete: true });

    // Remove forgets the record: the next download is a new first use.
    await removeModelFromCache(published, origin);
    expect(await modelTrustStore(origin).get(IMAGENET_MOBILENET_ID)).toBeUndefined();
    await makeModelAvailableOffline(published, () => undefined, { origin });
    expect((await modelTrustStore(origin).get(IMAGENET_MOBILENET_ID))?.['w1.bin']).toBe(
      await sha256Hex(new Uint8Array([7, 7, 7])),
    );
  });
});
