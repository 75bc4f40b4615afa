/**
 * When things go wrong: an exception in learner code is shown with its line (and marked in the
 * editor); a run stuck in a loop is stopped with the Stop button while the page stays usable.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode, visibleCode } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('an exception in learner code shows its message and line, and marks the line', async () => {
  const { page, context } = await openApp(browser);
  try {
    await pinBackend(page, 'wasm');
    await openExercise(page, 'fashion-mnist-cnn');
    await replaceCode(
      page,
      [
        "import type { Lab } from 'cv-lab';",
        'export default async function train(lab: Lab) {',
        "  lab.log('about to fail');",
        '  const answer = 42;',
        "  throw new Error('deliberate failure ' + answer);",
        '}',
        '',
      ].join('\n'),
    );
    await page.getByTestId('run-button').click();
    const error = page.getByTestId('run-error');
    await error.waitFor({ timeout: 120_000 });
    const text = await error.innerText();
    expect(text).toContain('deliberate failure 42');
    expect(text).toMatch(/line 5\b/);
    expect(await page.getByTestId('run-status').innerText()).toMatch(/error/i);
    expect(await page.getByTestId('log-panel').innerText()).toContain('about to fail');
    // The line is marked in the editor.
    await page.locator('.code-editor-host .squiggly-error').first().waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('report').count()).toBe(0);
  } finally {
    await context.close();
  }
});

test('Stop ends a run stuck in a loop, and the page stays responsive', async () => {
  const { page, context } = await openApp(browser);
  try {
    await pinBackend(page, 'wasm');
    await openExercise(page, 'fashion-mnist-cnn');
    await replaceCode(
      page,
      [
        "import type { Lab } from 'cv-lab';",
        'export default async function train(lab: Lab) {',
        "  lab.log('spinning forever');",
        '  let spins = 0;',
        '  while (spins >= 0) spins++;',
        '  return lab.tf.sequential();',
        '}',
        '',
      ].join('\n'),
    );
    await page.getByTestId('run-button').click();
    await expect
      .poll(() => page.getByTestId('log-panel').innerText(), { timeout: 60_000 })
      .toContain('spinning forever');
    expect(await page.getByTestId('run-status').innerText()).toMatch(/Running/);

    await page.getByTestId('stop-button').click();
    await expect
      .poll(() => page.getByTestId('run-status').innerText(), { timeout: 10_000 })
      .toMatch(/^Stopped/);
    expect(await page.getByTestId('log-panel').innerText()).toMatch(/Stopped/);

    // The page answers: the editor takes input, navigation works, and Run is ready again.
    expect(await page.getByTestId('run-button').isEnabled()).toBe(true);
    expect(await page.getByTestId('stop-button').isEnabled()).toBe(false);
    await page.locator('.code-editor-host .monaco-editor').click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('// still here');
    await expect.poll(() => visibleCode(page)).toContain('still here');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor({ timeout: 5_000 });
  } finally {
    await context.close();
  }
});
