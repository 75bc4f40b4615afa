/**
 * The Keras-to-tfjs reference (issue 13) in the built app: a brief's last line opens it, the header
 * links it, its side-by-side tables render through the sanitised markdown, and, the app being
 * saved by its service worker, it opens with the network gone (the text is bundled, not fetched).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { launchChromium, openApp } from './browser';

const screenshotDir = process.env.E2E_SCREENSHOTS ?? path.join(os.tmpdir(), 'cv-lab-e2e');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test("a brief's link opens the reference, which renders its tables, also offline", async () => {
  const { page, context, errors } = await openApp(browser);
  try {
    await page.goto(`${inject('baseUrl')}/#/exercise/fashion-mnist-cnn`);
    const link = page.locator('.brief a', { hasText: 'From Keras to tfjs' });
    await link.waitFor({ timeout: 30_000 });
    expect(await link.getAttribute('href')).toBe('#/keras-to-tfjs');
    expect(await link.getAttribute('target')).toBeNull();
    await link.click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/keras-to-tfjs');

    const reference = page.getByTestId('keras-reference');
    await expect
      .poll(() => reference.getByRole('heading', { level: 1 }).innerText(), { timeout: 30_000 })
      .toBe('From Keras to tfjs');
    // A table row with the exam's Conv2D beside the tfjs call.
    const conv = reference.locator('tr', { hasText: "Conv2D(32, (3, 3), activation='relu'" });
    expect(await conv.count()).toBe(1);
    expect(await conv.innerText()).toContain('tf.layers.conv2d');
    // The option table and the registry's models.
    expect(await reference.locator('tr', { hasText: 'heightFactor' }).count()).toBeGreaterThan(0);
    expect(await reference.locator('tr', { hasText: 'symbols-mobilenet-v1-0.25' }).count()).toBeGreaterThan(
      0,
    );
    // Sanitised: no class, id or style came through from the file.
    expect(await reference.locator('.markdown [class], .markdown [id], .markdown [style]').count()).toBe(0);
    expect(await page.locator('nav a[aria-current="page"]').innerText()).toBe('Keras to tfjs');
    fs.mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, 'keras-reference.png') });

    // Offline: once the service worker has saved the app, a reload with no network shows it.
    await expect
      .poll(() => page.getByTestId('offline-badge').innerText(), { timeout: 120_000, interval: 500 })
      .toBe('Ready offline');
    await context.setOffline(true);
    await page.reload();
    await expect
      .poll(() => reference.getByRole('heading', { level: 1 }).innerText(), { timeout: 30_000 })
      .toBe('From Keras to tfjs');
    expect(await reference.locator('tr', { hasText: 'tf.layers.conv2d' }).count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    expect(errors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});
