/**
 * "Make available offline" that fails midway keeps what was cached before it: a dataset cached
 * earlier stays complete, byte for byte, and the message says so.
 */
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { cachedState, datasetFileUrl, makeAvailableOffline } from '../../../src/app/offline/dataset-cache';
import { describeCacheError } from '../../../src/app/offline/offline-download';
import { sha256Hex } from '../../../src/core/shared/bytes';
import { DATASETS_CACHE } from '../../../src/storage/cache-names';
import { FakeCacheStorage } from './fake-cache-storage';

const origin = 'https://lab.example';
const shardNames = [
  'train-images-0.bin.gzip',
  'train-labels-0.bin.gzip',
  'test-images-0.bin.gzip',
  'test-labels-0.bin.gzip',
];

async function datasetFiles(version: number): Promise<Record<string, Uint8Array>> {
  const shards = Object.fromEntries(shardNames.map((name, i) => [name, new Uint8Array([version, i, 7])]));
  const entry = async (file: string) => ({ file, bytes: 3, sha256: await sha256Hex(shards[file]), count: 1 });
  const manifest = {
    format: 'cv-lab-dataset',
    version: 1,
    id: 'tiny',
    title: 'Tiny',
    license: 'CC0-1.0',
    source: 'a test',
    classNames: ['a', 'b'],
    imageShape: [1, 1, 1],
    splits: {
      train: { count: 1, images: [await entry(shardNames[0])], labels: [await entry(shardNames[1])] },
      test: { count: 1, images: [await entry(shardNames[2])], labels: [await entry(shardNames[3])] },
    },
  };
  return { ...shards, 'manifest.json': new TextEncoder().encode(JSON.stringify(manifest)) };
}

let storage: FakeCacheStorage;
let served: Record<string, Uint8Array>;
beforeEach(() => {
  storage = new FakeCacheStorage();
  vi.stubGlobal('caches', storage);
  vi.stubGlobal('location', { origin });
  vi.stubGlobal('fetch', async (input: URL) => {
    const file = served[input.pathname.split('/').pop() ?? ''];
    return file ? new Response(file.slice()) : new Response('gone', { status: 404 });
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

test('a failed update midway leaves the copy cached before complete and says it is kept', async () => {
  served = await datasetFiles(1);
  await makeAvailableOffline('tiny', () => undefined);
  expect(await cachedState('tiny')).toEqual({ complete: true, cachedBytes: 12 });
  const cache = await storage.open(DATASETS_CACHE);
  const before = new Map([...cache.entries].map(([url, stored]) => [url, Array.from(stored.bytes)]));

  // A new version on the server whose third shard is missing: two new shards are written, then it fails.
  served = await datasetFiles(2);
  delete served['test-images-0.bin.gzip'];
  const error = await makeAvailableOffline('tiny', () => undefined).catch((e: unknown) => e);
  expect(String(error)).toContain('test-images-0.bin.gzip answered HTTP 404');

  const after = new Map([...cache.entries].map(([url, stored]) => [url, Array.from(stored.bytes)]));
  expect(after).toEqual(before);
  const kept = await cachedState('tiny');
  expect(kept).toEqual({ complete: true, cachedBytes: 12 });
  expect(describeCacheError(error, 'tiny', kept)).toMatch(
    /answered HTTP 404\. The copy cached before is kept: tiny stays available offline\.$/,
  );
});

test('a full quota on a first download keeps none of it, and says so', async () => {
  served = await datasetFiles(1);
  (await storage.open(DATASETS_CACHE)).putsLeft = 2;
  const error = await makeAvailableOffline('tiny', () => undefined).catch((e: unknown) => e);
  const kept = await cachedState('tiny');
  expect(kept).toEqual({ complete: false, cachedBytes: 0 });
  expect((await storage.open(DATASETS_CACHE)).entries.size).toBe(0);
  expect(describeCacheError(error, 'tiny', kept)).toContain(
    'Nothing of it was cached before, so none is kept.',
  );
});

test('a shard cached already with the same bytes is not written again', async () => {
  served = await datasetFiles(1);
  await makeAvailableOffline('tiny', () => undefined);
  const cache = await storage.open(DATASETS_CACHE);
  // Only the manifest (removed first, written last) needs a write: a full quota after one put passes.
  cache.putsLeft = 1;
  await makeAvailableOffline('tiny', () => undefined);
  expect(await cachedState('tiny')).toEqual({ complete: true, cachedBytes: 12 });
  expect(datasetFileUrl('tiny', 'manifest.json', origin)).toBe(`${origin}/datasets/tiny/manifest.json`);
});
