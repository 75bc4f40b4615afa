/**
 * A sets database left damaged by an older import (a version this app does not know) is reported
 * with a way out: starting the sets afresh deletes that database only, and the learner's drafts,
 * kept in another database, survive (issue: files from other people, "all or nothing").
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { launchChromium, openApp, openExercise, replaceCode, visibleCode } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('a damaged sets database is reported, and starting it afresh keeps the drafts', async () => {
  const { page, context } = await openApp(browser);
  try {
    await openExercise(page, 'metrics-iou');
    const draft = 'export function iou(): number {\n  return 0.25; // my draft\n}\n';
    await replaceCode(page, draft);
    await expect.poll(() => page.getByText('Draft saved').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // What an older import left: the sets database at a version from the future, without its stores.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.open('cv-lab-teams', 999);
          request.onsuccess = () => {
            request.result.close();
            resolve();
          };
          request.onerror = () => reject(request.error);
        }),
    );
    await page.goto(`${inject('baseUrl')}/#/sets`);
    await page.reload();
    await expect
      .poll(() => page.getByTestId('sets-error').innerText(), { timeout: 30_000 })
      .toMatch(/read your sets/);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('sets-reset').click();
    await expect.poll(() => page.getByTestId('sets-error').count()).toBe(0);
    await openExercise(page, 'metrics-iou');
    await expect.poll(() => visibleCode(page)).toContain('my draft');
  } finally {
    await context.close();
  }
});
