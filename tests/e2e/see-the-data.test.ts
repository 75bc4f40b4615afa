/**
 * See the data (issue 13, item 6): the Datasets page shows train images of each class of every
 * prepared dataset, a training exercise shows a few under its brief, and the augmentation preview
 * fits its column and starts on an image where a flip shows (not a plain surface). All of them
 * from the datasets' sample sheets: the page fetches no train shard to show them.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { launchChromium, openApp, openExercise } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/**
 * The dataset files the page (its workers included) fetches from now on, as `<id>/<file>`: the
 * galleries read each dataset's sample sheet (`train-samples.bin.gzip`, a few KB), never its train
 * shards (tens of MB), once `npm run setup` has prepared the datasets with sheets.
 */
function recordDatasetFiles(context: BrowserContext): string[] {
  const files: string[] = [];
  context.on('request', (request) => {
    const match = /\/datasets\/([^/]+\/[^/?]+)/.exec(request.url());
    if (match) files.push(match[1]);
  });
  return files;
}

/** The datasets `npm run setup` prepares (package.json). */
const setupDatasets = [
  'fashion-mnist',
  'shapes',
  'surface-defects',
  'surface-defects-binary',
  'symbols',
  'novel-symbols',
];

const trainShards = (files: string[]) => files.filter((file) => /\/train-(images|labels)-/.test(file));

/** Per class of a gallery: its caption and how many of its canvases were drawn at the image's size. */
function galleryClasses(page: Page, scope: string, size: number) {
  return page.locator(`${scope} [data-testid="gallery-class"]`).evaluateAll(
    (figures, side) =>
      figures.map((figure) => ({
        name: figure.querySelector('figcaption')?.textContent ?? '',
        canvases: figure.querySelectorAll('canvas').length,
        drawn: [...figure.querySelectorAll('canvas')].filter((c) => c.width === side && c.height === side)
          .length,
      })),
    size,
  );
}

test('the Datasets page shows six train images of each class of fashion-mnist, with class names', async () => {
  const { page, context, errors } = await openApp(browser, '#/datasets');
  const fetched = recordDatasetFiles(context);
  try {
    const scope = '[data-dataset-id="fashion-mnist"] [data-testid="dataset-gallery"]';
    await page.locator(`${scope} [data-testid="gallery-class"]`).first().waitFor({ timeout: 60_000 });
    const classes = await galleryClasses(page, scope, 28);
    expect(classes).toHaveLength(10);
    expect(classes.map((c) => c.name)).toContain('Ankle boot');
    for (const group of classes) expect(group).toMatchObject({ canvases: 6, drawn: 6 });
    // Drawn, not blank: a shirt or a shoe has bright pixels.
    const bright = await page
      .locator(`${scope} canvas`)
      .first()
      .evaluate((element) => {
        const c = element as HTMLCanvasElement;
        const pixels = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let count = 0;
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i] > 30) count++;
        return count;
      });
    expect(bright).toBeGreaterThan(50);
    // Every prepared dataset has one.
    await expect
      .poll(() => page.locator('.dataset-row [data-testid="gallery-class"]').count(), { timeout: 60_000 })
      .toBeGreaterThan(10);
    // From each dataset's sample sheet: every gallery of the datasets `npm run setup` prepares (and
    // gives a sheet, older copies included) drawn without a train shard. A course dataset prepared
    // before sheets, on a developer's machine, still reads its train split until prepared again.
    const galleries = page.locator('.dataset-row [data-testid="dataset-gallery"]');
    for (let i = 0; i < (await galleries.count()); i++) await galleries.nth(i).scrollIntoViewIfNeeded();
    for (const id of setupDatasets) {
      await expect
        .poll(() => page.locator(`[data-gallery-of="${id}"]`).getAttribute('data-gallery-source'), {
          timeout: 60_000,
        })
        .toBe('sample sheet');
      expect(fetched).toContain(`${id}/train-samples.bin.gzip`);
    }
    expect(trainShards(fetched).filter((file) => setupDatasets.includes(file.split('/')[0]))).toEqual([]);
    expect(await page.getByTestId('gallery-sheet-problem').count()).toBe(0);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});

test("a training exercise shows its dataset's classes under the brief", async () => {
  const { page, context, errors } = await openApp(browser);
  const fetched = recordDatasetFiles(context);
  try {
    await openExercise(page, 'fashion-mnist-dense');
    const scope = '.brief-panel [data-testid="dataset-gallery"]';
    await page.locator(`${scope} [data-testid="gallery-class"]`).first().waitFor({ timeout: 60_000 });
    const classes = await galleryClasses(page, scope, 28);
    expect(classes).toHaveLength(10);
    for (const group of classes) expect(group).toMatchObject({ canvases: 3, drawn: 3 });
    // Inside the brief's column.
    const panel = (await page.locator('.brief-panel').boundingBox())!;
    const gallery = (await page.locator(scope).boundingBox())!;
    expect(gallery.x + gallery.width).toBeLessThanOrEqual(panel.x + panel.width + 0.5);
    expect(await page.locator(scope).getAttribute('data-gallery-source')).toBe('sample sheet');
    expect(trainShards(fetched)).toEqual([]);
    // A function exercise has none.
    await page.goto(`${inject('baseUrl')}/#/exercise/metrics-iou`);
    await page.locator('.brief-panel .brief').waitFor();
    expect(await page.locator('[data-testid="dataset-gallery"]').count()).toBe(0);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});

test('the augmentation preview fits its column, shows a defect, and another image on request', async () => {
  const { page, context, errors } = await openApp(browser);
  const fetched = recordDatasetFiles(context);
  try {
    await openExercise(page, 'defects-augmentation');
    const panel = page.getByTestId('augment-preview');
    await panel.locator('summary').click();
    await panel.locator('input[name="augment-flip"]').check();
    await panel.getByTestId('augment-preview-button').click();
    const canvas = page.locator('[data-testid="augment-preview-canvas"][data-drawn="true"]');
    await canvas.waitFor({ timeout: 60_000 });
    const box = (await canvas.boundingBox())!;
    const column = (await panel.boundingBox())!;
    const editor = (await page.locator('.editor-panel').boundingBox())!;
    expect(box.width).toBeGreaterThan(100);
    expect(box.width).toBeLessThanOrEqual(column.width + 0.5);
    expect(box.width).toBeLessThanOrEqual(editor.width + 0.5);
    expect(box.x + box.width).toBeLessThanOrEqual(editor.x + editor.width + 0.5);
    // Crisp: as many backing pixels as screen pixels.
    const backing = await canvas.evaluate((element) => (element as HTMLCanvasElement).width);
    expect(Math.abs(backing - box.width * (await page.evaluate(() => devicePixelRatio)))).toBeLessThanOrEqual(
      1,
    );
    // Not a clean surface, on which a flip shows nothing.
    const label = page.getByTestId('augment-preview-image');
    expect(await label.innerText()).not.toMatch(/\(clean\)/);
    const first = await canvas.getAttribute('data-image-index');
    await page.getByTestId('augment-preview-another').click();
    await expect.poll(() => canvas.getAttribute('data-image-index'), { timeout: 60_000 }).not.toBe(first);
    // Both images, and the ranking that picked them, from the sample sheet: no train shard read.
    expect(fetched.filter((file) => file.endsWith('/train-samples.bin.gzip')).length).toBeGreaterThan(0);
    expect(trainShards(fetched)).toEqual([]);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);

    // A narrow window: the grid shrinks with its column.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect
      .poll(async () => (await canvas.boundingBox())!.width, { timeout: 10_000 })
      .toBeLessThanOrEqual((await panel.boundingBox())!.width + 0.5);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  } finally {
    await context.close();
  }
});
