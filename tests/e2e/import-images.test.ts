/**
 * The learner's own images: a folder of generated PNGs (three classes of coloured squares, plus a
 * text file and a broken PNG) chosen with the folder input, previewed, saved into IndexedDB, then
 * loaded and trained on from learner code with `lab.data.load('<id>')`; a zip of JPEGs (with the
 * class folders one level down, as zips of a folder are made) imported the same way.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode } from './browser';

const classes: Record<string, [number, number, number]> = {
  red: [220, 40, 40],
  green: [40, 200, 60],
  blue: [40, 60, 220],
};
const perClass = 10;

/** `folder/<class>/<n>.png`: noisy squares of the class's colour on a random background. */
function writeImageFolder(root: string): void {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const [name, [r, g, b]] of Object.entries(classes)) {
    fs.mkdirSync(path.join(root, name), { recursive: true });
    for (let n = 0; n < perClass; n++) {
      const png = new PNG({ width: 40, height: 30 });
      for (let i = 0; i < 40 * 30; i++) {
        const inside = i % 40 > 8 && i % 40 < 32 && i / 40 > 5 && i / 40 < 25;
        const noise = () => Math.floor(random() * 40);
        png.data[i * 4] = inside ? r - noise() : 120 + noise();
        png.data[i * 4 + 1] = inside ? g - noise() : 120 + noise();
        png.data[i * 4 + 2] = inside ? b - noise() : 120 + noise();
        png.data[i * 4 + 3] = 255;
      }
      fs.writeFileSync(path.join(root, name, `${n}.png`), PNG.sync.write(png));
    }
  }
  fs.writeFileSync(path.join(root, 'red', 'notes.txt'), 'not an image');
  fs.writeFileSync(path.join(root, 'blue', 'broken.png'), 'this is not a PNG');
}

const trainOnImport = `import type { Lab } from 'cv-lab';
export default async function train(lab: Lab) {
const { tf } = lab;
const data = await lab.data.load('my-squares');
lab.log('classes: ' + data.classNames.join(',') + ' shape: ' + data.train.xs.shape.join('x'));
const model = tf.sequential({ layers: [
tf.layers.flatten({ inputShape: [16, 16, 3] }),
tf.layers.dense({ units: 3, activation: 'softmax' }),
] });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(data.train.xs, data.train.ys, { epochs: 2, batchSize: 8, callbacks: lab.callbacks() });
return model;
}
`;

const screenshotDir = process.env.E2E_SCREENSHOTS ?? path.join(os.tmpdir(), 'cv-lab-e2e');
let browser: Browser;
let folder: string;
beforeAll(async () => {
  folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cv-lab-import-')), 'my-squares');
  writeImageFolder(folder);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(path.dirname(folder), { recursive: true, force: true });
});

test('a folder of PNGs is previewed, saved and trained on from learner code', async () => {
  const { page, context } = await openApp(browser, '#/datasets');
  try {
    await page.getByTestId('folder-input').setInputFiles(folder);
    await expect.poll(() => page.getByTestId('picked').innerText()).toMatch(/my-squares \(32 files\)/);
    expect(await page.getByTestId('import-id').inputValue()).toBe('my-squares');
    await page.getByTestId('import-height').fill('16');
    await page.getByTestId('import-width').fill('16');
    await page.getByTestId('import-test-fraction').fill('0.2');
    await page.getByTestId('import-prepare').click();

    const preview = page.getByTestId('import-preview');
    await preview.waitFor({ timeout: 60_000 });
    const rows = await page.locator('[data-testid="import-counts"] tbody tr').allInnerTexts();
    expect(rows.map((row) => row.split('\t').slice(0, 3).join(' ').trim())).toEqual([
      'blue 8 2',
      'green 8 2',
      'red 8 2',
    ]);
    expect(await page.locator('.sample-canvas').count()).toBe(18);
    const warnings = (await page.getByTestId('import-warning').allInnerTexts()).join('\n');
    expect(warnings).toMatch(/1 file is not PNG, JPEG or WebP and was skipped: my-squares\/red\/notes\.txt/);
    expect(warnings).toMatch(/1 image could not be decoded and was skipped: my-squares\/blue\/broken\.png/);
    fs.mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, 'import-preview.png'), fullPage: true });

    await page.getByTestId('import-save').click();
    await expect
      .poll(() => page.getByTestId('import-saved').innerText())
      .toContain("lab.data.load('my-squares')");
    const saved = page.locator('[data-dataset-id="my-squares"]');
    expect(await saved.innerText()).toMatch(/3 classes \(blue, green, red\) · 16×16×3 · 24 train \/ 6 test/);

    await pinBackend(page, 'wasm');
    await openExercise(page, 'fashion-mnist-dense');
    await replaceCode(page, trainOnImport);
    await page.getByTestId('run-button').click();
    const log = page.getByTestId('log-panel');
    await expect
      .poll(() => log.innerText(), { timeout: 120_000 })
      .toContain('classes: blue,green,red shape: 24x16x16x3');
    await page.locator('[data-testid="epoch-table"] tbody tr').nth(1).waitFor({ timeout: 120_000 });
  } finally {
    await context.close();
  }
});

test('a folder with a single class is refused with a clear message', async () => {
  const single = path.join(path.dirname(folder), 'only-red');
  fs.mkdirSync(single, { recursive: true });
  fs.cpSync(path.join(folder, 'red'), path.join(single, 'red'), { recursive: true });
  const { page, context } = await openApp(browser, '#/datasets');
  try {
    await page.getByTestId('folder-input').setInputFiles(single);
    await page.getByTestId('import-prepare').click();
    await expect
      .poll(() => page.getByTestId('import-error').innerText())
      .toMatch(/Only one class \(red\) has images: a classifier needs at least two/);
    expect(await page.getByTestId('import-preview').count()).toBe(0);
  } finally {
    await context.close();
  }
});

/** `photos.zip` holding `photos/<class>/<n>.jpg`: light and dark noisy JPEGs, 48×32. */
function writeJpegZip(file: string): void {
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const entries: Record<string, Uint8Array> = {};
  for (const [name, level] of [
    ['light', 210],
    ['dark', 50],
  ] as const) {
    for (let n = 0; n < 6; n++) {
      const data = Buffer.alloc(48 * 32 * 4);
      for (let i = 0; i < 48 * 32; i++) {
        const value = level + Math.floor(random() * 40) - 20;
        data.fill(value, i * 4, i * 4 + 3);
        data[i * 4 + 3] = 255;
      }
      entries[`photos/${name}/${n}.jpg`] = jpeg.encode({ data, width: 48, height: 32 }, 90).data;
    }
  }
  fs.writeFileSync(file, zipSync(entries));
}

test('a zip of JPEGs is decoded, previewed and saved', async () => {
  const zip = path.join(path.dirname(folder), 'photos.zip');
  writeJpegZip(zip);
  const { page, context } = await openApp(browser, '#/datasets');
  try {
    await page.getByTestId('zip-input').setInputFiles(zip);
    await expect.poll(() => page.getByTestId('picked').innerText()).toMatch(/photos\.zip/);
    await page.getByTestId('import-height').fill('16');
    await page.getByTestId('import-width').fill('24');
    await page.getByTestId('import-test-fraction').fill('0.34');
    await page.getByTestId('import-prepare').click();
    await page.getByTestId('import-preview').waitFor({ timeout: 60_000 });
    const rows = await page.locator('[data-testid="import-counts"] tbody tr').allInnerTexts();
    expect(rows.map((row) => row.split('\t').slice(0, 3).join(' ').trim())).toEqual([
      'dark 4 2',
      'light 4 2',
    ]);
    await page.getByTestId('import-save').click();
    await expect
      .poll(() => page.getByTestId('import-saved').innerText())
      .toContain("lab.data.load('photos')");
    expect(await page.locator('[data-dataset-id="photos"]').innerText()).toMatch(
      /2 classes \(dark, light\) · 16×24×3 · 8 train \/ 4 test/,
    );
  } finally {
    await context.close();
  }
});
