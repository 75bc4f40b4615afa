import { describe, expect, test } from 'vitest';
import {
  BACKUP_FORMAT,
  backupFileName,
  decodeValue,
  encodeValue,
  mergeDecision,
  parseBackup,
} from '../../../src/app/storage/backup-format';
import {
  checkSettings,
  countPerClass,
  reviewPlan,
  suggestDatasetId,
} from '../../../src/app/offline/image-import-plan';
import { isolatedHeaders, routeRequest, staleShellCaches } from '../../../src/app/offline/sw-routes';
import { planClassFolders } from '../../../src/core/datasets/images/class-folders';

const origin = 'https://lab.example';
const precached = new Set(['/assets/index-abc.js', '/index.html', '/bench.html']);
const route = (path: string, mode: RequestMode = 'cors') =>
  routeRequest(new URL(path, origin), mode, origin, precached);

describe('service worker routes', () => {
  test('sends each request to its cache', () => {
    expect(route('/', 'navigate')).toBe('navigation');
    expect(route('/exercise/metrics-iou', 'navigate')).toBe('navigation');
    // A document of its own (the benchmark page) is never answered with the app's shell.
    expect(route('/bench.html', 'navigate')).toBe('precache');
    expect(route('/assets/index-abc.js')).toBe('precache');
    expect(route('/assets/unknown.js')).toBe('network');
    expect(route('/datasets/fashion-mnist/manifest.json')).toBe('dataset');
    expect(route('/datasets/fashion-mnist/train-images-0.bin.gzip?cv-lab-download=1')).toBe('network');
    expect(routeRequest(new URL('https://cdn.example/x.js'), 'cors', origin, precached)).toBe('network');
  });

  test('adds the isolation headers and keeps the others', () => {
    const headers = isolatedHeaders(
      new Headers({ 'Content-Type': 'text/javascript', 'Cross-Origin-Embedder-Policy': 'unsafe-none' }),
    );
    expect(headers.get('content-type')).toBe('text/javascript');
    expect(headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });

  test('deletes old shell caches, never the datasets', () => {
    expect(staleShellCaches(['cv-lab-shell-old', 'cv-lab-shell-new', 'cv-lab-datasets'], 'new')).toEqual([
      'cv-lab-shell-old',
    ]);
  });
});

describe('backup format', () => {
  test('round-trips bytes, buffers, typed arrays and dates through JSON', () => {
    const value = {
      bytes: new Uint8Array([0, 1, 255]),
      weights: new Float32Array([1.5, -2]).buffer,
      floats: new Float32Array([0.25, 3]),
      when: new Date('2024-05-01T10:00:00Z'),
      list: [1, 'two', null],
    };
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(value)))) as typeof value;
    expect(Array.from(back.bytes)).toEqual([0, 1, 255]);
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(new Float32Array(back.weights))).toEqual([1.5, -2]);
    expect(Array.from(back.floats)).toEqual([0.25, 3]);
    expect(back.when.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(back.list).toEqual([1, 'two', null]);
  });

  test('refuses malformed files with a message', () => {
    expect(() => parseBackup('not json')).toThrow('not valid JSON');
    expect(() => parseBackup('{"format":"other"}')).toThrow('not a CV Lab backup');
    expect(() =>
      parseBackup(
        JSON.stringify({
          format: BACKUP_FORMAT,
          version: 1,
          createdAt: 'x',
          databases: [{ name: 'cv-lab' }],
        }),
      ),
    ).toThrow(/damaged or from an unknown version: databases\.0\.version/);
    const ok = parseBackup(
      JSON.stringify({ format: BACKUP_FORMAT, version: 1, createdAt: 'x', databases: [] }),
    );
    expect(ok.databases).toEqual([]);
  });

  test('merges without deleting: new, newer replaces, otherwise kept', () => {
    expect(mergeDecision(undefined, { savedAt: '2024-01-01' })).toBe('new');
    expect(mergeDecision({ savedAt: '2024-01-01' }, { savedAt: '2024-02-01' })).toBe('updated');
    expect(mergeDecision({ savedAt: '2024-03-01' }, { savedAt: '2024-02-01' })).toBe('kept');
    expect(mergeDecision({ a: 1 }, { a: 2 })).toBe('kept');
    expect(backupFileName(new Date('2024-05-01T10:00:00Z'))).toBe('cv-lab-backup-2024-05-01.json');
  });
});

describe('image import plan', () => {
  test('reviews class folders: empty and stray files are warnings, one class is an error', () => {
    const review = reviewPlan(
      planClassFolders(
        ['pets/cat/1.png', 'pets/cat/2.jpg', 'pets/dog/1.webp', 'pets/dog/notes.txt'],
        ['pets/bird'],
      ),
    );
    expect(review.errors).toEqual([]);
    expect(review.classes.map((c) => c.name)).toEqual(['cat', 'dog']);
    expect(review.warnings.join(' ')).toContain('Empty class folder left out (no images): bird');
    expect(review.warnings.join(' ')).toContain(
      '1 file is not PNG, JPEG or WebP and was skipped: pets/dog/notes.txt',
    );
    expect(reviewPlan(planClassFolders(['pets/cat/1.png', 'pets/cat/2.png'])).errors[0]).toMatch(
      /Only one class \(cat\)/,
    );
    expect(reviewPlan(planClassFolders(['readme.md'])).errors[0]).toMatch(/No images found/);
  });

  test('suggests ids and checks settings', () => {
    expect(suggestDatasetId('My Parts (2024).zip')).toBe('my-parts-2024');
    const settings = {
      id: 'parts',
      title: 'Parts',
      height: 64,
      width: 64,
      channels: 3 as const,
      testFraction: 0.2,
      seed: 1,
    };
    expect(checkSettings(settings, ['fashion-mnist'])).toBeNull();
    expect(checkSettings({ ...settings, id: 'fashion-mnist' }, ['fashion-mnist'])).toMatch(
      /already has a dataset/,
    );
    expect(checkSettings({ ...settings, testFraction: 1 }, [])).toMatch(/test fraction/);
    expect(checkSettings({ ...settings, height: 4 }, [])).toMatch(/height must be/);
  });

  test('counts images per class and split', () => {
    expect(countPerClass(['a', 'b'], [0, 0, 1], [1])).toEqual([
      { name: 'a', train: 2, test: 0 },
      { name: 'b', train: 1, test: 1 },
    ]);
  });
});
