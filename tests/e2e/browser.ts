/**
 * Shared set-up for the browser tests: Debian's Chromium through playwright-core, one fresh
 * context (so fresh IndexedDB and localStorage) per test, and helpers that drive the page the way
 * a learner does.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium as launchWithFlags } from '../../src/cli/chromium';
import { expect, inject } from 'vitest';

/** The browser tests' Chromium: the CLI's launch flags, GPU off (the tests pin or probe backends). */
export function launchChromium(): Promise<Browser> {
  return launchWithFlags(['--disable-gpu']);
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far, for assertions and for debugging. */
  errors: string[];
}

export interface OpenAppOptions {
  /** 1400×1000 unless given. */
  viewport?: { width: number; height: number };
  /** The emulated `prefers-color-scheme` (Playwright's default is light). */
  colorScheme?: 'light' | 'dark';
}

export async function openApp(
  browser: Browser,
  hash = '#/',
  options: OpenAppOptions = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1400, height: 1000 },
    ...(options.colorScheme ? { colorScheme: options.colorScheme } : {}),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(`${inject('baseUrl')}/${hash}`);
  return { context, page, errors };
}

/** Pins a training backend on the settings page, as a learner would. */
export async function pinBackend(
  page: Page,
  backend: 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu',
): Promise<void> {
  await page.goto(`${inject('baseUrl')}/#/settings`);
  await page.locator(`input[name="backend"][value="${backend}"]`).check();
}

export async function openExercise(page: Page, exerciseId: string): Promise<void> {
  await page.goto(`${inject('baseUrl')}/#/exercise/${exerciseId}`);
  await page.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
}

/**
 * Replaces the editor's whole text the way a learner pastes code: select all, then a paste event
 * (typing it would let the editor auto-indent and auto-close brackets on top of the text).
 */
export async function replaceCode(page: Page, code: string): Promise<void> {
  const editor = page.locator('.code-editor-host .monaco-editor');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.evaluate((text) => {
    const target = document.activeElement ?? document.body;
    const data = new DataTransfer();
    data.setData('text/plain', text);
    target.dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
    );
  }, code);
  await expect.poll(() => visibleCode(page)).toContain(code.split('\n')[1].trim());
}

/** The editor's text as Monaco renders it (visible lines only: keep test code short). */
export async function visibleCode(page: Page): Promise<string> {
  const text = await page.locator('.code-editor-host .view-lines').innerText();
  return text.replace(/\u00a0/g, ' ');
}
