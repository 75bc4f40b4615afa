/**
 * The learner's loop, on the page (issue 13, items 4 and 7): progress beside Run and curves in view
 * while training, Ctrl+Enter and Escape, the dark theme (system and toggle), a phone-width page,
 * and the team lead's pages under "Teams".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode } from './browser';

/** A small dense model on 2,000 images for many epochs: it trains long enough to be watched, then stopped. */
const longRun = `import type { Lab } from 'cv-lab';
export default async function train(lab: Lab) {
const { tf } = lab;
const { train } = await lab.data.load('fashion-mnist', { limit: 2000 });
const model = tf.sequential({ layers: [
tf.layers.flatten({ inputShape: [28, 28, 1] }),
tf.layers.dense({ units: 10, activation: 'softmax' }),
] });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(train.xs, train.ys, { epochs: 500, batchSize: 16, callbacks: lab.callbacks() });
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

/** Screenshots for a person to look at (E2E_SCREENSHOTS, as in run-and-report.test.ts). */
async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.E2E_SCREENSHOTS ?? path.join(os.tmpdir(), 'cv-lab-e2e');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, name) });
}

function pageWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

function theme(page: Page): Promise<string | undefined> {
  return page.evaluate(() => document.documentElement.dataset.theme);
}

function bodyBackground(page: Page): Promise<string> {
  return page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
}

test('Ctrl+Enter in the editor runs; progress and curves are in view at 1280×800; Escape stops', async () => {
  const { page, context, errors } = await openApp(browser, '#/', { viewport: { width: 1280, height: 800 } });
  try {
    await pinBackend(page, 'wasm');
    await openExercise(page, 'fashion-mnist-cnn');
    await replaceCode(page, longRun);
    // The editor has the focus after the paste: Monaco's own keybinding runs.
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.getByTestId('run-status').innerText()).toMatch(/Running/);

    const progress = page.getByTestId('run-progress');
    await expect
      .poll(() => progress.innerText().catch(() => ''), { timeout: 120_000, interval: 250 })
      .toMatch(/Training · epoch \d+ of 500 · batch \d+ of 125/);
    // The count is the one `fit` was asked for, so the time left is the whole run's.
    await expect
      .poll(() => progress.innerText(), { timeout: 30_000, interval: 250 })
      .toMatch(/\d+ images\/s · about .+ left$/);

    // The curves sit beside the editor, in view without scrolling.
    const chart = page.getByTestId('chart-loss');
    await page.locator('[data-testid="chart-loss"][data-points]:not([data-points="0"])').waitFor();
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    const box = await chart.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(800);
    expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
    await screenshot(page, 'habits-training-1280x800.png');

    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('run-status').innerText(), { timeout: 30_000 }).toBe('Stopped');
    expect(await page.getByTestId('run-progress').count()).toBe(0);

    // Ctrl+Enter outside the editor runs too; Escape from the page stops it.
    await page.locator('.exercise-header h1').click();
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.getByTestId('run-status').innerText()).toMatch(/Running/);
    await page.locator('.exercise-header h1').click();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('run-status').innerText(), { timeout: 30_000 }).toBe('Stopped');
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});

test('dark theme follows the system, and the toggle overrides it and is remembered', async () => {
  const dark = await openApp(browser, '#/', { colorScheme: 'dark' });
  try {
    await dark.page.locator('.exercise-card').first().waitFor();
    expect(await theme(dark.page)).toBe('dark');
    expect(await bodyBackground(dark.page)).toBe('rgb(15, 20, 27)');
    await dark.page.getByTestId('theme-toggle').click();
    expect(await theme(dark.page)).toBe('light');
    expect(await bodyBackground(dark.page)).toBe('rgb(246, 247, 249)');
    await dark.page.reload();
    await dark.page.locator('.exercise-card').first().waitFor();
    expect(await theme(dark.page)).toBe('light');
  } finally {
    await dark.context.close();
  }

  const light = await openApp(browser, '#/', { colorScheme: 'light' });
  try {
    await light.page.locator('.exercise-card').first().waitFor();
    expect(await theme(light.page)).toBe('light');
    await light.page.getByTestId('theme-toggle').click();
    expect(await theme(light.page)).toBe('dark');
    expect(await bodyBackground(light.page)).toBe('rgb(15, 20, 27)');
    // Monaco follows.
    await openExercise(light.page, 'fashion-mnist-cnn');
    await expect
      .poll(() => light.page.locator('.code-editor-host .monaco-editor').getAttribute('class'))
      .toMatch(/\bvs-dark\b/);
    await screenshot(light.page, 'habits-exercise-dark.png');
    await light.page.getByTestId('theme-toggle').click();
    await expect
      .poll(() => light.page.locator('.code-editor-host .monaco-editor').getAttribute('class'))
      .not.toMatch(/\bvs-dark\b/);
  } finally {
    await light.context.close();
  }
});

test('at 390×844 neither the catalog nor an exercise is wider than the screen', async () => {
  const { page, context } = await openApp(browser, '#/', { viewport: { width: 390, height: 844 } });
  try {
    await page.locator('.exercise-card').first().waitFor();
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    await openExercise(page, 'fashion-mnist-cnn');
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
    // The header names the category by its title, not its id.
    expect(await page.locator('.exercise-meta-line').innerText()).toMatch(/^Convolutional networks · /);
    // Editor and brief are stacked, not side by side.
    const brief = await page.locator('.brief-panel').boundingBox();
    const editor = await page.locator('.editor-panel').boundingBox();
    expect(editor!.y).toBeGreaterThanOrEqual(brief!.y + brief!.height);
    await screenshot(page, 'habits-exercise-390x844.png');
    await page.getByTestId('teams-menu').locator('summary').click();
    expect(await pageWidth(page)).toBeLessThanOrEqual(390);
  } finally {
    await context.close();
  }
});

test('the team lead pages are under a Teams menu, apart from the learner pages', async () => {
  const { page, context } = await openApp(browser);
  try {
    const nav = page.locator('.app-header nav');
    const buildLink = nav.getByRole('link', { name: 'Build a set' });
    expect(await buildLink.isVisible()).toBe(false);
    await nav.getByText('Teams').click();
    await buildLink.click();
    await expect.poll(() => page.url()).toMatch(/#\/sets\/new$/);
    // The menu closes on the way, and says where the page is.
    expect(await buildLink.isVisible()).toBe(false);
    expect(await page.getByTestId('teams-menu').locator('summary').getAttribute('aria-current')).toBe('page');
    await nav.getByText('Teams').click();
    await nav.getByRole('link', { name: 'Roster' }).click();
    await expect.poll(() => page.url()).toMatch(/#\/roster$/);
  } finally {
    await context.close();
  }
});
