/**
 * The offline story: one visit online (the service worker saves the app), Fashion-MNIST made
 * available offline from the datasets page, then the network goes away: a reload still loads the
 * catalog, cross-origin isolated, and a short training run on the cached dataset ends in a report.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode } from './browser';

const shortRun = `import type { Lab } from 'cv-lab';
export default async function train(lab: Lab) {
const { tf } = lab;
const { train } = await lab.data.load('fashion-mnist', { limit: 300 });
const model = tf.sequential({ layers: [
tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
tf.layers.maxPooling2d({ poolSize: 2 }),
tf.layers.flatten(),
tf.layers.dense({ units: 10, activation: 'softmax' }),
] });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 32, callbacks: lab.callbacks() });
return model;
}
`;

const screenshotDir = process.env.E2E_SCREENSHOTS ?? path.join(os.tmpdir(), 'cv-lab-e2e');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('after one online visit the app loads, trains and grades offline', async () => {
  const { page, context, errors } = await openApp(browser);
  try {
    await expect
      .poll(() => page.getByTestId('offline-badge').innerText(), { timeout: 120_000, interval: 500 })
      .toBe('Ready offline');
    await pinBackend(page, 'wasm');

    await page.goto(`${inject('baseUrl')}/#/datasets`);
    const row = page.locator('[data-dataset-id="fashion-mnist"]');
    await expect
      .poll(() => row.getByTestId('dataset-state').innerText())
      .toMatch(/Online only|Partly cached/);
    expect(await row.innerText()).toMatch(/60,000 train \/ 10,000 test · 31\.0 MB/);
    await row.getByRole('button', { name: 'Make available offline' }).click();
    await expect
      .poll(() => row.getByTestId('dataset-state').innerText(), { timeout: 120_000, interval: 500 })
      .toBe('Available offline');
    expect(await page.getByTestId('storage-summary').innerText()).toMatch(/Storage used: \d/);
    fs.mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, 'datasets-page.png'), fullPage: true });

    await context.setOffline(true);
    await page.goto(`${inject('baseUrl')}/#/`);
    await page.reload();
    await page.locator('[data-exercise-id="fashion-mnist-cnn"]').waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // The badge says so once the service worker answers (the page registers it again on load).
    await expect
      .poll(() => page.getByTestId('offline-badge').innerText(), { timeout: 30_000 })
      .toBe('Ready offline');

    await openExercise(page, 'fashion-mnist-cnn');
    await replaceCode(page, shortRun);
    await page.getByTestId('run-button').click();
    await page.getByTestId('report').waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('backend-badge').innerText()).toContain('wasm');
    expect(await page.getByTestId('metrics').innerText()).toMatch(/Test images\s+10000/);
    await page.screenshot({ path: path.join(screenshotDir, 'offline-report.png'), fullPage: true });
    expect(errors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});
