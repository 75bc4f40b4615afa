/**
 * Issue 15, item 3 in Chromium: after an exam, opening an edited copy of the set (same id, exam
 * disabled) does not give Run back, and removing the set and opening it again does not start a
 * fresh exam: the clock is kept by set id with the content hash of the copy it started with.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, openApp } from './browser';
import { jsonFile, screenshot } from './teams-helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const examSet = {
  format: 'cv-lab-set',
  version: 1,
  id: 'reimport-exam',
  title: 'Re-import exam',
  exercises: [{ id: 'fashion-mnist-dense' }],
  exam: { enabled: true, minutes: 30, weights: { beginner: 1, intermediate: 2, advanced: 3 } },
  createdAt: '2025-06-01T09:00:00Z',
};
const editedCopy = { ...examSet, exam: { ...examSet.exam, enabled: false } };

async function openSetFile(page: Page, base: string, json: object) {
  await page.goto(`${base}#/sets`);
  await page.getByTestId('set-file-input').setInputFiles(jsonFile('exam.cvset.json', JSON.stringify(json)));
}

test('an edited copy of a finished exam (same id, exam off) does not re-enable Run, nor does re-importing', async () => {
  const { page, context, errors } = await openApp(browser, '#/sets');
  try {
    const base = page.url().replace(/#.*$/, '');
    const setUrl = `${base}#/set/${examSet.id}`;
    const exerciseUrl = `${setUrl}/exercise/fashion-mnist-dense`;
    await openSetFile(page, base, examSet);
    await page.getByTestId('start-exam').click();
    await page.getByTestId('exam-clock').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Finish the exam' }).click();
    await page.getByTestId('exam-summary').waitFor();

    // The edited copy under the same id: the learner replaces the set with it.
    await openSetFile(page, base, editedCopy);
    await page.getByTestId('set-conflict').waitFor();
    await page.getByTestId('set-conflict-replace').click();
    await expect.poll(() => page.getByTestId('set-conflict').count()).toBe(0);
    expect(await page.locator(`[data-set-id="${examSet.id}"]`).innerText()).not.toContain('exam, 30 min');
    await page.goto(setUrl);
    await page.getByTestId('exam-other-copy').waitFor();
    expect(await page.getByTestId('start-exam').count()).toBe(0);
    expect(await page.locator('[data-testid="set-exercises"] a').count()).toBe(0);
    await screenshot(page, 'teams-exam-edited-copy');

    await page.goto(exerciseUrl);
    await page.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('run-button').isDisabled()).toBe(true);

    // Removed and opened again (the original): the exam is still over, not a fresh one.
    await page.goto(`${base}#/sets`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator(`[data-set-id="${examSet.id}"] button`, { hasText: 'Remove' }).click();
    await expect.poll(() => page.locator(`[data-set-id="${examSet.id}"]`).count()).toBe(0);
    await openSetFile(page, base, examSet);
    await expect.poll(() => page.url()).toBe(setUrl);
    await page.getByTestId('exam-summary').waitFor();
    expect(await page.getByTestId('start-exam').count()).toBe(0);
    await page.reload();
    await page.getByTestId('exam-summary').waitFor();
    await page.goto(exerciseUrl);
    await page.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('run-button').isDisabled()).toBe(true);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});
