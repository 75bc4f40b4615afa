/**
 * Updating to a new version: a copy of the built app is served, visited once (the service worker
 * saves it), then replaced by a "new build" (its service worker's precache version changed, as a
 * real build changes it). The page offers Update; the learner's unsaved edit is written before the
 * reload, and after it the new version controls the page and the draft is all there.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, replaceCode, visibleCode } from './browser';

const root = path.resolve(import.meta.dirname, '../..');
let served: string;
let server: PreviewServer;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  // The app's files are copied; the big dataset and model folders are linked.
  served = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-lab-update-'));
  for (const entry of fs.readdirSync(path.join(root, 'dist'))) {
    const from = path.join(root, 'dist', entry);
    const to = path.join(served, entry);
    if (entry === 'datasets' || entry === 'models') fs.symlinkSync(from, to);
    else fs.cpSync(from, to, { recursive: true });
  }
  server = await preview({
    root,
    configFile: path.join(root, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: served },
    preview: { host: '127.0.0.1', port: 0, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address !== 'object') throw new Error('the preview server has no port');
  baseUrl = `http://127.0.0.1:${address.port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.httpServer.close(() => resolve()) : resolve()));
  fs.rmSync(served, { recursive: true, force: true });
});

/** What a new build does to `sw.js`: another precache version (the shell cache's name). */
function publishNewVersion(): string {
  const file = path.join(served, 'sw.js');
  const source = fs.readFileSync(file, 'utf8');
  const next = 'feedfacecafe0001';
  const updated = source.replace(/"version":"[0-9a-f]{16}"/g, `"version":"${next}"`);
  if (updated === source) throw new Error('sw.js carries no precache version to change');
  fs.writeFileSync(file, updated);
  return next;
}

test('Update installs the new version without losing the draft being edited', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  try {
    await page.goto(`${baseUrl}/#/exercise/fashion-mnist-dense`);
    await expect
      .poll(() => page.getByTestId('offline-badge').innerText(), { timeout: 120_000, interval: 500 })
      .toBe('Ready offline');
    await page.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
    await replaceCode(page, '// draft before the update 1\n');
    await expect.poll(() => page.getByTestId('save-state').innerText()).toBe('Draft saved');
    expect(await page.getByTestId('update-button').count()).toBe(0);

    const next = publishNewVersion();
    // The browser checks for a new service worker on navigation; the new one installs and waits.
    await page.reload();
    const update = page.getByTestId('update-button');
    await update.waitFor({ timeout: 120_000 });

    // An edit not yet saved when Update is pressed (the draft saves after a pause) is kept too.
    await page.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
    await replaceCode(page, '// draft edited just before the update 2\n');
    await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), update.click()]);

    await page.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
    await expect.poll(() => visibleCode(page)).toContain('draft edited just before the update 2');
    const cacheNames = await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      return caches.keys();
    });
    expect(cacheNames).toContain(`cv-lab-shell-${next}`);
    expect(cacheNames.filter((name) => name.startsWith('cv-lab-shell-'))).toEqual([`cv-lab-shell-${next}`]);
    expect(await page.getByTestId('update-button').count()).toBe(0);
  } finally {
    await context.close();
  }
});
