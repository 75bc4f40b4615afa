/**
 * Drafts: what the learner types is saved to IndexedDB and is there after a reload; "Reset to
 * starter" brings the starter back.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, openApp, openExercise, visibleCode } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('a draft survives a reload, and Reset to starter restores the starter', async () => {
  const { page, context } = await openApp(browser);
  try {
    await openExercise(page, 'fashion-mnist-dense');
    const starter = await visibleCode(page);
    expect(starter).toContain('export default async function train');

    await page.locator('.code-editor-host .monaco-editor').click();
    await page.keyboard.press('ControlOrMeta+Home');
    await page.keyboard.type('// my draft note 7391');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('save-state').innerText()).toBe('Draft saved');

    await page.reload();
    await page.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
    await expect.poll(() => visibleCode(page)).toContain('my draft note 7391');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Reset to starter' }).click();
    await expect.poll(() => visibleCode(page)).not.toContain('my draft note 7391');
    await expect.poll(() => page.getByTestId('save-state').innerText()).toBe('Draft saved');
    await page.reload();
    await page.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
    expect(await visibleCode(page)).not.toContain('my draft note 7391');
  } finally {
    await context.close();
  }
});
