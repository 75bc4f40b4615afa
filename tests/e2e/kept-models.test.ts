/**
 * Trained models kept in the browser: a graded run keeps its model (tfjs `indexeddb://`), so after a
 * reload the stored result still offers Export submission (with the very model the report graded)
 * and Download model (<exercise>.model.json + <exercise>.weights.bin, as tf.loadLayersModel reads
 * them); a backup carries
 * both to a fresh profile, where the same buttons work.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { parseSubmission } from '../../src/core/exercises/submission';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode } from './browser';
import { captureDownload, quickDenseSolution, screenshot } from './teams-helpers';

const exerciseId = 'fashion-mnist-dense';
const bytesPerWeight = { float32: 4, int32: 4 } as Record<string, number>;

let browser: Browser;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-lab-kept-'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Clicks `button` and returns the `count` files it downloads, by suggested name. */
async function captureDownloads(page: Page, button: Locator, count: number): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${files.size} of ${count} downloads came`)),
      60_000,
    );
    page.on('download', (download) => {
      void download.path().then((file) => {
        files.set(download.suggestedFilename(), fs.readFileSync(file));
        if (files.size === count) {
          clearTimeout(timer);
          resolve();
        }
      }, reject);
    });
  });
  await button.click();
  await done;
  return files;
}

const modelJsonName = `${exerciseId}.model.json`;
const weightsName = `${exerciseId}.weights.bin`;

/** Download model: the exercise's model.json names its weights file, whose size the specs describe. */
async function checkDownloadedModel(page: Page): Promise<string> {
  const files = await captureDownloads(page, page.getByTestId('download-model'), 2);
  expect([...files.keys()].sort()).toEqual([modelJsonName, weightsName]);
  const modelJson = JSON.parse(files.get(modelJsonName)!.toString('utf8'));
  expect(modelJson.format).toBe('layers-model');
  expect(modelJson.modelTopology.config.layers.length).toBeGreaterThan(0);
  expect(modelJson.weightsManifest).toHaveLength(1);
  expect(modelJson.weightsManifest[0].paths).toEqual([weightsName]);
  const specs: { shape: number[]; dtype: string }[] = modelJson.weightsManifest[0].weights;
  const described = specs.reduce(
    (sum, spec) => sum + spec.shape.reduce((n, d) => n * d, 1) * bytesPerWeight[spec.dtype],
    0,
  );
  const weights = files.get(weightsName)!;
  // 784·32 + 32 + 32·10 + 10 float32 weights.
  expect(weights.byteLength).toBe((784 * 32 + 32 + 32 * 10 + 10) * 4);
  expect(weights.byteLength).toBe(described);
  return createHash('sha256').update(weights).digest('hex');
}

/** Export submission from the stored result: it parses, with the model the report graded. */
async function checkExportedSubmission(page: Page, weightsSha256: string): Promise<void> {
  const exported = page.getByTestId('export-submission');
  await exported.click();
  await page.getByTestId('learner-name').fill('Ada Lovelace');
  const { name, text } = await captureDownload(
    page,
    page.getByRole('button', { name: 'Export', exact: true }),
  );
  expect(name).toBe(`ada-lovelace.${exerciseId}.cvsub.json`);
  const submission = parseSubmission(text);
  expect(submission.exerciseId).toBe(exerciseId);
  expect(submission.code).toBe(quickDenseSolution);
  expect(submission.history).toHaveLength(2);
  expect(submission.environment.backend).toBe('wasm');
  expect(submission.model).toBeDefined();
  expect(submission.model!.weightsSha256).toBe(submission.report.modelHash);
  expect(submission.model!.weightsSha256).toBe(weightsSha256);
}

test('a kept model exports after a reload and travels in a backup to a fresh profile', async () => {
  const first = await openApp(browser);
  let backupPath: string;
  let modelHash: string;
  try {
    const { page } = first;
    await pinBackend(page, 'wasm');
    await openExercise(page, exerciseId);
    await replaceCode(page, quickDenseSolution);
    await page.getByTestId('run-button').click();
    await page.getByTestId('report').waitFor({ timeout: 240_000 });
    await expect.poll(() => page.getByTestId('run-status').innerText()).toBe('Graded');
    expect(await page.getByTestId('model-not-kept').count()).toBe(0);
    // The fresh run: the model in memory downloads too.
    modelHash = await checkDownloadedModel(page);

    // After a reload the result comes from storage, with its model read back from IndexedDB.
    await page.reload();
    await page.getByTestId('report').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('run-status').innerText()).toBe('Ready');
    await page.getByTestId('download-model').waitFor({ timeout: 60_000 });
    await screenshot(page, 'kept-model-after-reload');
    expect(await checkDownloadedModel(page)).toBe(modelHash);
    await checkExportedSubmission(page, modelHash);

    await page.goto(`${inject('baseUrl')}/#/backup`);
    const download = page.waitForEvent('download');
    await page.getByTestId('backup-export').click();
    const file = await download;
    backupPath = path.join(dir, file.suggestedFilename());
    await file.saveAs(backupPath);
    expect(first.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await first.context.close();
  }
  const backup = JSON.parse(fs.readFileSync(backupPath, 'utf8'));
  const models = backup.databases.find((d: { name: string }) => d.name === 'tensorflowjs');
  expect(models.stores.map((s: { name: string }) => s.name).sort()).toEqual([
    'model_info_store',
    'models_store',
  ]);

  const second = await openApp(browser, '#/backup');
  try {
    const { page } = second;
    await page.getByTestId('backup-import').setInputFiles(backupPath);
    await expect
      .poll(() => page.locator('[data-store="tensorflowjs/models_store"]').innerText())
      .toMatch(/Trained models\s+1\s+0\s+0/);
    expect(await page.locator('[data-store="cv-lab/results"]').innerText()).toMatch(/Results\s+1\s+0\s+0/);

    await openExercise(page, exerciseId);
    await page.getByTestId('report').waitFor({ timeout: 60_000 });
    await page.getByTestId('download-model').waitFor({ timeout: 60_000 });
    expect(await checkDownloadedModel(page)).toBe(modelHash);
    await checkExportedSubmission(page, modelHash);
    expect(second.errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await second.context.close();
  }
});

test('a model that cannot be kept does not fail the run: the page says to export now', async () => {
  const { page, context } = await openApp(browser);
  try {
    await pinBackend(page, 'wasm');
    // tfjs opens its database at version 1: one at version 2 makes every save fail, as a browser
    // without storage would.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.open('tensorflowjs', 2);
          request.onsuccess = () => {
            request.result.close();
            resolve();
          };
          request.onerror = () => reject(request.error);
        }),
    );
    await openExercise(page, exerciseId);
    await replaceCode(page, quickDenseSolution);
    await page.getByTestId('run-button').click();
    await page.getByTestId('report').waitFor({ timeout: 240_000 });
    await expect.poll(() => page.getByTestId('run-status').innerText()).toBe('Graded');
    expect(await page.getByTestId('model-not-kept').innerText()).toMatch(
      /^The trained model could not be kept in this browser: .+; export the submission now\.$/,
    );
    await screenshot(page, 'kept-model-not-kept');
    // The model in memory still exports.
    await page.getByTestId('export-submission').click();
    await page.getByTestId('learner-name').fill('Ada Lovelace');
    const { text } = await captureDownload(page, page.getByRole('button', { name: 'Export', exact: true }));
    const submission = parseSubmission(text);
    expect(submission.model!.weightsSha256).toBe(submission.report.modelHash);

    // After a reload the result is there, and says its model was not kept.
    await page.reload();
    await page.getByTestId('report').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('stored-model-missing').innerText()).toMatch(
      /was not kept in this browser/,
    );
    expect(await page.getByTestId('download-model').count()).toBe(0);
    expect(await page.getByTestId('export-submission').count()).toBe(0);
  } finally {
    await context.close();
  }
});
