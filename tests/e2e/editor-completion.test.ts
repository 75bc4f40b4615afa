/**
 * The editor completes `tf` and `Lab` from typings bundled with the app (no network needed: the
 * test browser has none besides the app's own server).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, openApp, openExercise } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('completion offers tfjs layers through lab.tf and the Lab types', async () => {
  const { page, context } = await openApp(browser);
  try {
    await openExercise(page, 'fashion-mnist-dense');
    await page.locator('.code-editor-host .monaco-editor').click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('const probe = (lab: Lab) => lab.tf.layers.conv');
    await page.keyboard.press('Control+Space');
    const suggestions = page.locator('.suggest-widget .monaco-list-row');
    await suggestions.first().waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('.suggest-widget').innerText()).toContain('conv2d');
    await page.keyboard.press('Escape');

    await page.keyboard.type('2d({}); const probe2 = (lab: Lab) => lab.data.lo');
    await page.keyboard.press('Control+Space');
    await expect
      .poll(() => page.locator('.suggest-widget').innerText(), { timeout: 30_000 })
      .toContain('load');
  } finally {
    await context.close();
  }
});
