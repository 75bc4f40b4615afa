/**
 * Repeatable runs in the page: with a seed set in Settings, the same code trains the same model
 * twice (same weights hash in the report) and the log says which seed; a value that is not a seed
 * is refused with a message.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode } from './browser';
import { quickDenseSolution } from './teams-helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Runs the open exercise and returns the model hash the report shows. */
async function runAndReadModelHash(page: Page): Promise<string> {
  await page.getByTestId('run-button').click();
  await expect.poll(() => page.getByTestId('run-status').innerText()).toMatch(/Running/);
  const hashes = page.locator('.report-hashes');
  await hashes.waitFor({ timeout: 180_000 });
  await expect
    .poll(() => page.getByTestId('run-status').innerText(), { timeout: 60_000 })
    .not.toMatch(/Running/);
  return /model (\w+)/.exec(await hashes.innerText())![1];
}

test('a seed set in Settings makes two runs train the same model', async () => {
  const { page, context, errors } = await openApp(browser);
  try {
    await pinBackend(page, 'wasm');
    await page.getByTestId('seed-input').fill('-3');
    expect(await page.getByTestId('seed-error').innerText()).toMatch(/‘-3’ is not one/);
    await page.getByTestId('seed-input').fill('42');
    await expect.poll(() => page.getByTestId('seed-error').count()).toBe(0);

    await openExercise(page, 'fashion-mnist-dense');
    await replaceCode(page, quickDenseSolution);
    const first = await runAndReadModelHash(page);
    expect(await page.getByTestId('log-panel').innerText()).toContain('Seed 42: initial weights');
    const second = await runAndReadModelHash(page);
    expect(second).toBe(first);

    // Without a seed the next run draws afresh.
    await page.goto(`${inject('baseUrl')}/#/settings`);
    await page.getByTestId('seed-input').fill('');
    await openExercise(page, 'fashion-mnist-dense');
    expect(await runAndReadModelHash(page)).not.toBe(first);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});
