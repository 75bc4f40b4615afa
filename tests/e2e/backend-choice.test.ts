/**
 * The automatic backend choice by measured speed, and the fallback when a backend breaks
 * (issue 12), in headless Chromium without a GPU: WebGPU on the software adapter (with
 * --enable-unsafe-webgpu), WebGL on SwiftShader, WASM, CPU. The figures measured here are printed
 * (docs/benchmarks.md, "Automatic choice").
 */
import type { Browser, Page } from 'playwright-core';
import { afterEach, expect, inject, test } from 'vitest';
import { launchChromium as launchWithFlags } from '../../src/cli/chromium';
import { launchChromium, openApp, pinBackend, replaceCode } from './browser';
import { TEST_HOOKS_KEY } from '../../src/app/stores/backend-speed-store';

/** A small dense net on 300 images, one epoch: seconds on any backend that works. */
const shortRun = `import type { Lab } from 'cv-lab';
export default async function train(lab: Lab) {
const { tf } = lab;
const { train } = await lab.data.load('fashion-mnist', { limit: 300 });
const model = tf.sequential({ layers: [
tf.layers.flatten({ inputShape: [28, 28, 1] }),
tf.layers.dense({ units: 10, activation: 'softmax' }),
] });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(train.xs, train.ys, { epochs: 2, batchSize: 50, callbacks: lab.callbacks() });
return model;
}
`;

let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

async function runAndWaitForReport(page: Page, query = ''): Promise<void> {
  if (query.includes('backend-fault=')) {
    // the hook works only where the page's storage turns test hooks on (a link cannot)
    await page.goto(`${inject('baseUrl')}/#/`);
    await page.evaluate((key) => localStorage.setItem(key, '1'), TEST_HOOKS_KEY);
  }
  await page.goto(`${inject('baseUrl')}/${query}#/exercise/fashion-mnist-cnn`);
  await page.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
  await replaceCode(page, shortRun);
  await page.getByTestId('run-button').click();
  // the page may still show the previous run's report: wait for this run's log first
  await expect
    .poll(() => page.getByTestId('log-panel').innerText(), { timeout: 120_000 })
    .toContain('Running your train(lab)');
  await page.getByTestId('report').waitFor({ timeout: 400_000 });
}

async function accuracyOf(page: Page): Promise<number> {
  const metrics = await page.getByTestId('metrics').innerText();
  return Number(/Test accuracy\s+(\d+\.\d\d)%/.exec(metrics)![1]);
}

async function speedTable(page: Page): Promise<string[][]> {
  await page.goto(`${inject('baseUrl')}/#/settings`);
  const rows = page.locator('[data-testid="backend-speed-table"] tbody tr');
  await rows.first().waitFor({ timeout: 30_000 });
  return rows.evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
  );
}

test('with WebGPU on: every backend is probed and timed, the fastest chosen, and the run graded', async () => {
  browser = await launchWithFlags(['--enable-unsafe-webgpu']);
  const { page, context } = await openApp(browser);
  try {
    const started = Date.now();
    await runAndWaitForReport(page);
    const log = await page.getByTestId('log-panel').innerText();
    const measured = /Backends measured: (.*)/.exec(log)?.[1] ?? '';
    console.log(`measured in ${(Date.now() - started) / 1000} s (with the run): ${measured}`);
    for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu']) expect(measured).toContain(`${backend} `);
    expect(await accuracyOf(page)).toBeGreaterThan(30);
    const badge = await page.getByTestId('backend-badge').innerText();
    expect(badge).toMatch(/backend: \w+ \(runner-up: \w+\)/);

    const table = await speedTable(page);
    console.log(table.map((row) => row.join(' | ')).join('\n'));
    expect(table.map((row) => row[0].split(' ')[0])).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    const chosen = table.find((row) => row[2] === 'chosen')!;
    expect(badge).toContain(`backend: ${chosen[0].split(' ')[0]}`);
    // The chosen one is the fastest of those measured.
    const speeds = table.filter((row) => row[1] !== '—').map((row) => Number(row[1]));
    expect(Number(chosen[1])).toBe(Math.max(...speeds));
    expect(await page.locator('.facts').innerText()).toMatch(
      /WebGPU adapter: .*|WebGPU: the browser has the API but gives no adapter/,
    );

    // Measure again: how long measuring all four takes on this machine.
    const again = Date.now();
    const button = page.getByTestId('measure-again');
    await button.click();
    await expect.poll(() => button.innerText(), { timeout: 30_000 }).toBe('Measuring…');
    await expect.poll(() => button.innerText(), { timeout: 240_000 }).toBe('Measure again');
    const againTable = await speedTable(page);
    console.log(
      `measured again in ${(Date.now() - again) / 1000} s:\n${againTable.map((r) => r.join(' | ')).join('\n')}`,
    );

    // A pinned backend wins over the faster WASM; when it loses its device (a mapAsync AbortError,
    // injected) the run goes on, on the runner-up by speed, and the grade comes from there. (The
    // sandbox's worker has no navigator.gpu, so WebGPU itself never trains there; see the log.)
    await pinBackend(page, 'webgl');
    await runAndWaitForReport(page, '?backend-fault=webgl:device-lost');
    const pinnedLog = await page.getByTestId('log-panel').innerText();
    expect(pinnedLog).toContain('Training on webgl');
    expect(pinnedLog).toMatch(/The GPU device was lost \(.*mapAsync.*\); continuing on wasm/);
    const pinnedBadge = await page.getByTestId('backend-badge').innerText();
    expect(pinnedBadge).toContain('backend: wasm');
    expect(pinnedBadge).toContain('webgl dropped mid-run');
    expect(await accuracyOf(page)).toBeGreaterThan(30);
  } finally {
    await context.close();
  }
});

test('a backend that returns NaN mid-run is dropped with a message and the run is graded on the next', async () => {
  browser = await launchChromium();
  const { page, context } = await openApp(browser);
  try {
    await runAndWaitForReport(page, '?backend-fault=wasm:nan');
    const log = await page.getByTestId('log-panel').innerText();
    const measured = /Backends measured: (.*)/.exec(log)?.[1] ?? '';
    console.log(`measured: ${measured}`);
    expect(measured).toMatch(/wasm [\d.]+ img\/s \(chosen/);
    expect(log).toMatch(/Wasm gives results the CPU backend does not \(.*\); continuing on (webgl|cpu)/);
    const badge = await page.getByTestId('backend-badge').innerText();
    expect(badge).toMatch(/backend: (webgl|cpu)/);
    expect(badge).toContain('wasm dropped mid-run');
    expect(await accuracyOf(page)).toBeGreaterThan(30);
  } finally {
    await context.close();
  }
});
