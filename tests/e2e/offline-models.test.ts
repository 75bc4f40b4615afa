/**
 * Pretrained models offline: one visit online, the bundled MobileNet and the published ImageNet
 * MobileNet made available offline from the datasets page (with the novel-symbols dataset), then
 * the network goes away: a reload, and a short transfer-learning run loads both models from the
 * models cache and ends in a report.
 *
 * The published model's server is played by Playwright (`context.route`): it answers the model's
 * canonical URL with the bundled model's files (the test machine has no internet), with the CORS
 * headers a real CDN sends. Before going offline the route is removed, so the run can only read
 * the cached copy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { IMAGENET_MOBILENET_ID, SYMBOLS_MOBILENET_ID, findPretrained } from '../../src/core/models/registry';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode } from './browser';

const transferRun = `import type { Lab } from 'cv-lab';
export default async function train(lab: Lab) {
const { tf } = lab;
const { train } = await lab.data.load('novel-symbols', { limit: 32 });
const published = await lab.models.load('${IMAGENET_MOBILENET_ID}');
published.dispose();
const pretrained = await lab.models.load('${SYMBOLS_MOBILENET_ID}');
const base = lab.models.truncate(pretrained, 'conv_pw_13_relu');
lab.models.freeze(base);
const input = tf.input({ shape: [48, 48, 3] });
const pooled = tf.layers.globalAveragePooling2d({}).apply(base.apply(input) as never) as never;
const output = tf.layers.dense({ units: 5, activation: 'softmax' }).apply(pooled) as never;
const model = tf.model({ inputs: input, outputs: output });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 32, callbacks: lab.callbacks() });
return model;
}
`;

const root = path.resolve(import.meta.dirname, '../..');
const screenshotDir = process.env.E2E_SCREENSHOTS ?? path.join(os.tmpdir(), 'cv-lab-e2e');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('pretrained models made available offline load in a run offline', async () => {
  const publishedEntry = findPretrained(IMAGENET_MOBILENET_ID)!;
  const bundledEntry = findPretrained(SYMBOLS_MOBILENET_ID)!;
  if (publishedEntry.source.kind !== 'url')
    throw new Error(`${IMAGENET_MOBILENET_ID} is no longer published`);
  const publishedFolder = new URL('.', publishedEntry.source.url).href;
  const standIn = path.join(root, 'dist/models', SYMBOLS_MOBILENET_ID);
  const publishedRequests: string[] = [];

  const { page, context, errors } = await openApp(browser);
  await context.route(`${publishedFolder}**`, async (route) => {
    const file = path.basename(new URL(route.request().url()).pathname);
    publishedRequests.push(file);
    const full = path.join(standIn, file);
    await route.fulfill(
      fs.existsSync(full)
        ? {
            status: 200,
            body: fs.readFileSync(full),
            headers: {
              'Content-Type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
              'Access-Control-Allow-Origin': '*',
              'Cross-Origin-Resource-Policy': 'cross-origin',
            },
          }
        : { status: 404, body: 'not found', headers: { 'Access-Control-Allow-Origin': '*' } },
    );
  });
  try {
    await expect
      .poll(() => page.getByTestId('offline-badge').innerText(), { timeout: 120_000, interval: 500 })
      .toBe('Ready offline');
    await pinBackend(page, 'wasm');

    await page.goto(`${inject('baseUrl')}/#/datasets`);
    const bundled = page.locator(`[data-model-id="${SYMBOLS_MOBILENET_ID}"]`);
    const published = page.locator(`[data-model-id="${IMAGENET_MOBILENET_ID}"]`);
    await expect.poll(() => bundled.getByTestId('model-state').innerText()).toBe('Online only');
    await expect.poll(() => published.getByTestId('model-state').innerText()).toBe('Online only');
    const bundledBytes = ['model.json', 'weights.bin']
      .map((file) => fs.statSync(path.join(standIn, file)).size)
      .reduce((a, b) => a + b, 0);
    await expect
      .poll(() => bundled.getByTestId('model-details').innerText())
      .toBe(
        `Bundled with the app · ${bundledEntry.inputShape.join('×')} input · ${Math.round(bundledBytes / 1e3)} kB`,
      );
    expect(await published.getByTestId('model-details').innerText()).toBe(
      `Published at ${publishedEntry.source.url} · 224×224×3 input · size known after the first download`,
    );

    await bundled.getByRole('button', { name: 'Make available offline' }).click();
    await expect
      .poll(() => bundled.getByTestId('model-state').innerText(), { timeout: 60_000, interval: 500 })
      .toBe('Available offline');
    await published.getByRole('button', { name: 'Make available offline' }).click();
    await expect
      .poll(() => published.getByTestId('model-state').innerText(), { timeout: 60_000, interval: 500 })
      .toBe('Available offline');
    expect(publishedRequests).toEqual(['model.json', 'weights.bin']);
    expect(await published.getByTestId('model-details').innerText()).toMatch(/input · \d+ kB$/);
    const dataset = page.locator('[data-dataset-id="novel-symbols"]');
    await dataset.getByRole('button', { name: 'Make available offline' }).click();
    await expect
      .poll(() => dataset.getByTestId('dataset-state').innerText(), { timeout: 120_000, interval: 500 })
      .toBe('Available offline');
    const modelsTotal = `${((2 * bundledBytes) / 1e6).toFixed(1)} MB`;
    expect(await page.getByTestId('offline-total').innerText()).toContain(`pretrained models ${modelsTotal}`);
    fs.mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, 'datasets-page-models.png'), fullPage: true });

    await context.unroute(`${publishedFolder}**`);
    await context.setOffline(true);
    await page.goto(`${inject('baseUrl')}/#/`);
    await page.reload();
    await page.locator('[data-exercise-id="transfer-feature-extraction"]').waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);

    await openExercise(page, 'transfer-feature-extraction');
    await replaceCode(page, transferRun);
    await page.getByTestId('run-button').click();
    // The report, or the run's error (a model that did not load offline) at once.
    await page
      .locator('[data-testid="report"], [data-testid="run-error"]')
      .first()
      .waitFor({ timeout: 240_000 });
    if (await page.getByTestId('run-error').isVisible()) {
      throw new Error(`the run failed: ${await page.getByTestId('run-error').innerText()}`);
    }
    const log = await page.getByTestId('log-panel').innerText();
    expect(log).toContain(`Loaded pretrained ${IMAGENET_MOBILENET_ID}`);
    expect(log).toContain(`Loaded pretrained ${SYMBOLS_MOBILENET_ID}`);
    expect(await page.getByTestId('metrics').innerText()).toMatch(/Test images\s+1000/);
    await page.screenshot({ path: path.join(screenshotDir, 'offline-transfer-report.png'), fullPage: true });
    expect(errors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});
