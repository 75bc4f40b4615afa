import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/core/datasets/load';
import { fsDatasetReader } from '../../../src/cli/datasets/fs-reader';
import { importImageFolder } from '../../../src/cli/datasets/image-import';
import { runCli } from '../datasets/cli-helpers';
import {
  encodeJpeg,
  encodePng,
  encodeWebp,
  pngClaimingSize,
  writeTree,
  zipTree,
} from '../../fixtures/datasets-more/images';
import type { Rgb } from '../../fixtures/datasets-more/images';

const temp = await mkdtemp(path.join(os.tmpdir(), 'cv-lab-import-'));
afterAll(() => rm(temp, { recursive: true, force: true }));
let runs = 0;
const fresh = (name: string) => path.join(temp, `${name}-${runs++}`);
const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

const RED: Rgb = [220, 30, 30];
const BLUE: Rgb = [30, 40, 210];

/** 6 red and 4 blue images in three formats and shapes, a text file and a hidden file. */
async function goodTree(): Promise<Record<string, Uint8Array | string>> {
  const tree: Record<string, Uint8Array | string> = {};
  for (let i = 0; i < 6; i++) tree[`red/r${i}.png`] = encodePng(40 + i, 30, RED);
  for (let i = 0; i < 3; i++) tree[`blue/b${i}.jpg`] = encodeJpeg(24, 36, BLUE);
  tree['blue/b3.webp'] = await encodeWebp(20, 20, BLUE);
  tree['README.txt'] = 'my parts';
  tree['red/.DS_Store'] = 'x';
  tree['blue/notes.md'] = 'not an image';
  return tree;
}

describe('cv-lab datasets import', () => {
  it('imports a class-folder tree: PNG, JPEG and WebP, resized, split per class, loadable', async () => {
    const input = fresh('good');
    await writeTree(input, await goodTree());
    const out = fresh('out');
    const result = await runCli([
      'datasets',
      'import',
      input,
      '--id',
      'my-parts',
      '--size',
      '8x12',
      '--test-fraction',
      '0.25',
      '--seed',
      '3',
      '--title',
      'My parts',
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `imported my-parts into ${path.join(out, 'my-parts')}: 2 classes, 7 train, 3 test images (8×12×3)\n`,
    );
    expect(result.stderr).toContain('skipping 2 non-image files: README.txt, blue/notes.md');
    expect(result.stderr).toContain('  blue: 3 train, 1 test');
    expect(result.stderr).toContain('  red: 4 train, 2 test');

    const dataset = await loadDataset(fsDatasetReader(path.join(out, 'my-parts')), {
      splits: ['train', 'test'],
    });
    expect(dataset.manifest).toMatchObject({
      id: 'my-parts',
      title: 'My parts',
      classNames: ['blue', 'red'],
      imageShape: [8, 12, 3],
    });
    // Every image is its class's flat colour (JPEG within a few levels).
    for (const split of ['train', 'test'] as const) {
      const { images, labels, count } = dataset.splits[split]!;
      for (let i = 0; i < count; i++) {
        const colour = labels[i] === 0 ? BLUE : RED;
        const pixel = images.subarray(i * 288 + 150, i * 288 + 153);
        pixel.forEach((v, c) => expect(Math.abs(v - colour[c])).toBeLessThanOrEqual(6));
      }
    }

    const gray = await importImageFolder({ input, id: 'gray-parts', size: [6, 6], channels: 1, out });
    expect(gray.manifest.imageShape).toEqual([6, 6, 1]);
    expect(gray.perClass).toEqual({ train: [3, 5], test: [1, 1] });
  });

  it('imports a zip, with or without one top folder around the classes', async () => {
    const tree = await goodTree();
    const wrapped = Object.fromEntries(Object.entries(tree).map(([name, bytes]) => [`parts/${name}`, bytes]));
    const out = fresh('out');
    for (const [name, files] of [
      ['flat', tree],
      ['wrapped', wrapped],
    ] as const) {
      const zip = path.join(temp, `${name}-${runs++}.zip`);
      await writeFile(zip, zipTree(files));
      const result = await importImageFolder({ input: zip, id: `zip-${name}`, size: [10, 10], out });
      expect(result.manifest.classNames).toEqual(['blue', 'red']);
      expect(result.manifest.splits.train.count + result.manifest.splits.test.count).toBe(10);
      expect(result.nonImages).toBe(2);
    }
  });

  it('skips corrupt and huge images by name, and reports progress', async () => {
    const input = fresh('bad-files');
    const tree = await goodTree();
    tree['red/broken.png'] = encodePng(10, 10, RED).subarray(0, 40);
    tree['red/empty.jpg'] = new Uint8Array();
    tree['blue/text.jpg'] = 'this is not a JPEG';
    tree['blue/huge.png'] = pngClaimingSize(10_000, 6_000);
    await writeTree(input, tree);
    const lines: string[] = [];
    const result = await importImageFolder({
      input,
      id: 'bad-files',
      out: fresh('out'),
      progressEvery: 4,
      log: (l) => lines.push(l),
    });
    expect(result.skipped).toBe(4);
    const skippedLine = lines.find((l) => l.startsWith('skipped 4 unreadable images: '));
    expect(skippedLine).toContain(
      'blue/huge.png (10000×6000 is 60.0 megapixels, over the limit of 50; shrink it first)',
    );
    expect(skippedLine).toContain('blue/text.jpg (not a PNG, JPEG or WebP file (unrecognised contents))');
    expect(skippedLine).toContain('red/empty.jpg (empty file)');
    expect(skippedLine).toMatch(/red\/broken\.png \(corrupt PNG \(/);
    expect(lines.filter((l) => /^decoded \d+ of 14 images$/.test(l))).toEqual([
      'decoded 4 of 14 images',
      'decoded 8 of 14 images',
      'decoded 12 of 14 images',
    ]);
  });

  it('refuses empty classes, a single class, no classes, and a class whose every image is broken, writing nothing', async () => {
    const out = fresh('out');
    const cases: [string, Record<string, Uint8Array | string>, string][] = [
      [
        'empty-class',
        {
          'red/a.png': encodePng(4, 4, RED),
          'blue/a.png': encodePng(4, 4, BLUE),
          'green/readme.txt': 'x',
          'white/.keep': '',
        },
        "class folders 'green', 'white' hold no PNG, JPEG or WebP image; add images or remove them",
      ],
      [
        'single',
        { 'red/a.png': encodePng(4, 4, RED), 'red/b.png': encodePng(4, 4, RED) },
        "only one class folder ('red'); a classifier needs at least two, one sub-folder per class",
      ],
      [
        'no-class',
        { 'a.png': encodePng(4, 4, RED), 'notes.txt': 'x' },
        'no class folders found; put the images in one sub-folder per class (for example cats/1.jpg, dogs/1.jpg)',
      ],
      [
        'all-broken',
        { 'red/a.png': encodePng(4, 4, RED), 'blue/a.png': 'broken', 'blue/b.jpg': 'broken' },
        "no readable image in 'blue': every image there was skipped",
      ],
    ];
    for (const [name, tree, message] of cases) {
      const input = fresh(name);
      await writeTree(input, tree);
      const result = await runCli(['datasets', 'import', input, '--id', name, '--out', out]);
      expect(result.code, name).toBe(2);
      expect(lastLine(result.stderr), name).toBe(`cv-lab: ${input}: ${message}`);
    }
    expect(existsSync(out) ? await readdir(out) : []).toEqual([]);
  });

  it('refuses an id that is taken unless --force, and bad options', async () => {
    const input = fresh('clash');
    await writeTree(input, await goodTree());
    const out = fresh('out');
    expect(
      (await runCli(['datasets', 'import', input, '--id', 'parts', '--out', out, '--size', '4x4'])).code,
    ).toBe(0);
    const clash = await runCli(['datasets', 'import', input, '--id', 'parts', '--out', out]);
    expect(clash.code).toBe(2);
    expect(lastLine(clash.stderr)).toBe(
      `cv-lab: a dataset 'parts' already exists in ${path.join(out, 'parts')}; choose another --id or pass --force to replace it`,
    );
    const forced = await runCli([
      'datasets',
      'import',
      input,
      '--id',
      'parts',
      '--out',
      out,
      '--size',
      '5x5',
      '--force',
    ]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('(5×5×3)');
    expect(await readdir(out)).toEqual(['parts']);

    const badId = await runCli(['datasets', 'import', input, '--id', 'My Parts', '--out', out]);
    expect(lastLine(badId.stderr)).toBe(
      "cv-lab: --id 'My Parts' must be lower-case letters, digits and dashes (for example my-parts)",
    );
    const badFraction = await runCli([
      'datasets',
      'import',
      input,
      '--id',
      'x',
      '--out',
      out,
      '--test-fraction',
      '1.5',
    ]);
    expect(lastLine(badFraction.stderr)).toBe('cv-lab: --test-fraction must be above 0 and below 1, got 1.5');
    const badChannels = await runCli([
      'datasets',
      'import',
      input,
      '--id',
      'x',
      '--out',
      out,
      '--channels',
      '4',
    ]);
    expect(lastLine(badChannels.stderr)).toBe("cv-lab: --channels must be 1 or 3, got '4'");
    const missing = await runCli([
      'datasets',
      'import',
      path.join(temp, 'nowhere'),
      '--id',
      'x',
      '--out',
      out,
    ]);
    expect(lastLine(missing.stderr)).toBe(`cv-lab: ${path.join(temp, 'nowhere')} does not exist`);
    const notZip = path.join(temp, 'not-a.zip');
    await writeFile(notZip, 'hello');
    const badZip = await runCli(['datasets', 'import', notZip, '--id', 'x', '--out', out]);
    expect(lastLine(badZip.stderr)).toMatch(/^cv-lab: .*not-a\.zip is not a readable zip file \(/);
  });
});
