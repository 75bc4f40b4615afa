/**
 * The main path of a learner: pin the WASM backend, open the CNN exercise, run a short version of
 * the reference solution, watch the figures move, read the report, find the result in the catalog
 * with the run's training time beside the reference's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode } from './browser';

/** The reference solution, cut down to 600 images and one epoch so it runs in seconds. */
const shortSolution = `import type { Lab } from 'cv-lab';
export default async function train(lab: Lab) {
const { tf } = lab;
const { train, validation } = await lab.data.load('fashion-mnist', { validationSplit: 0.1, limit: 600 });
const model = tf.sequential({ layers: [
tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
tf.layers.maxPooling2d({ poolSize: 2 }),
tf.layers.flatten(),
tf.layers.dense({ units: 10, activation: 'softmax' }),
] });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 32,
validationData: validation ? [validation.xs, validation.ys] : undefined, callbacks: lab.callbacks() });
return model;
}
`;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('a short CNN run streams figures, ends with a graded report and is remembered', async () => {
  const { page, context, errors } = await openApp(browser);
  try {
    await pinBackend(page, 'wasm');
    await openExercise(page, 'fashion-mnist-cnn');
    await replaceCode(page, shortSolution);
    await page.getByTestId('run-button').click();

    await expect.poll(() => page.getByTestId('run-status').innerText()).toMatch(/Running/);
    // Batch figures reach the charts, then the epoch's figures reach the table.
    await page
      .locator('[data-testid="chart-loss"][data-points]:not([data-points="0"])')
      .waitFor({ timeout: 120_000 });
    // The model summary is in the log while training runs, not only after it.
    expect(await page.getByTestId('log-panel').innerText()).toMatch(/Total params/);
    const epochRow = page.locator('[data-testid="epoch-table"] tbody tr');
    await epochRow.first().waitFor({ timeout: 180_000 });
    expect(await epochRow.first().locator('td').first().innerText()).toBe('1');

    const report = page.getByTestId('report');
    await report.waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('backend-badge').innerText()).toContain('wasm');
    expect(await page.getByTestId('verdict').innerText()).toMatch(/Passed|Not passed yet/);
    const metrics = await page.getByTestId('metrics').innerText();
    expect(metrics).toMatch(/Test accuracy\s+\d+\.\d\d%/);
    expect(metrics).toMatch(/Test images\s+10000/);
    const accuracy = Number(/Test accuracy\s+(\d+\.\d\d)%/.exec(metrics)![1]);
    expect(accuracy).toBeGreaterThan(30); // far above chance (10 %) even after 540 images
    const checks = await page.getByTestId('checks').innerText();
    expect(checks).toContain('Conv2D');
    expect(await page.locator('[data-testid="checks"] li').count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('[data-testid="confusion-matrix"] tbody tr').count()).toBe(10);
    expect(await page.locator('[data-testid="confusion-matrix"] thead').innerText()).toContain('Ankle boot');
    expect(await page.locator('[data-testid="per-class"] tbody tr').count()).toBe(10);
    // The model summary is in the log, once: the end does not repeat the one logged as fit began.
    expect((await page.getByTestId('log-panel').innerText()).match(/Total params/g)).toHaveLength(1);

    const screenshotDir = process.env.E2E_SCREENSHOTS ?? path.join(os.tmpdir(), 'cv-lab-e2e');
    fs.mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, 'exercise-after-run.png'), fullPage: true });

    // The catalog shows the result.
    await page.goto(page.url().replace(/#.*$/, '#/'));
    const card = page.locator('[data-exercise-id="fashion-mnist-cnn"] .result-badge');
    await expect.poll(() => card.innerText()).toMatch(/(Passed|Failed) · \d+\/100/);
    // Its training time: the reference's, and this run's on this device beside it.
    expect(
      await page.locator('[data-exercise-id="fashion-mnist-cnn"] [data-testid="training-time"]').innerText(),
    ).toMatch(/^about \d+ min \(your last run: \d+\.\d s on wasm\)$/);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});
