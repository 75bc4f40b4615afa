/**
 * Two tabs on one exercise draft: the second is told and shows it read-only; "Edit here" takes the
 * draft over with the first tab's last edit, and the first becomes read-only. No edit is lost.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { launchChromium, openApp, openExercise, visibleCode } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function typeAtTop(page: Page, text: string): Promise<void> {
  await page.locator('.code-editor-host .monaco-editor').click();
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

test('a second tab is told, stays read-only, and takes over only when asked', async () => {
  const { page: first, context } = await openApp(browser);
  try {
    await openExercise(first, 'fashion-mnist-dense');
    await expect.poll(() => first.locator('[inert]').count()).toBe(0);
    await typeAtTop(first, '// tab one 1111');
    await expect.poll(() => first.getByTestId('save-state').innerText()).toBe('Draft saved');

    const second = await context.newPage();
    await second.goto(`${inject('baseUrl')}/#/exercise/fashion-mnist-dense`);
    await second.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
    await second.getByTestId('draft-elsewhere').waitFor();
    expect(await second.getByTestId('draft-elsewhere').innerText()).toContain(
      'This draft is open in another tab',
    );
    // Typing in the read-only tab changes nothing.
    await second.keyboard.type('// lost? 9999');
    expect(await visibleCode(second)).not.toContain('9999');

    // The first tab keeps editing; its last edit is pending (not yet saved) when the second takes over.
    await typeAtTop(first, '// tab one 2222');
    await second.getByTestId('draft-edit-here').click();
    await second.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
    await expect.poll(() => visibleCode(second)).toContain('tab one 2222');
    await expect.poll(() => second.locator('[inert]').count()).toBe(0);
    await first.getByTestId('draft-elsewhere').waitFor();
    expect(await first.locator('[inert]').count()).toBe(1);

    await typeAtTop(second, '// tab two 3333');
    await expect.poll(() => second.getByTestId('save-state').innerText()).toBe('Draft saved');
    // The first tab, reloaded, finds the draft edited elsewhere, with every edit.
    await first.reload();
    await first.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
    await first.getByTestId('draft-elsewhere').waitFor();
    await expect.poll(() => visibleCode(first)).toContain('tab two 3333');
    const code = await visibleCode(first);
    for (const line of ['tab one 1111', 'tab one 2222']) expect(code).toContain(line);
  } finally {
    await context.close();
  }
});
