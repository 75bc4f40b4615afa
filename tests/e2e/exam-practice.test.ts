/**
 * Issue 14, item 1 in Chromium: the exam practice is reached from the catalog's section, its time
 * box keeps running across a reload (an exam clock on record, not a timer in the page), and a hint
 * revealed on a task is counted on the task's page and in the practice's table, also after a reload.
 * The second test trains a small dense network for seconds: its report carries the band score and
 * the hints revealed, and the practice counts it. Band scoring itself is tested in Node
 * (tests/unit/exam-practice, tests/unit/grading/grade.test.ts).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode } from './browser';
import { quickDenseSolution, screenshot } from './teams-helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The practice clock's seconds left, from its `m:ss` or `h:mm:ss` text. */
async function secondsLeft(page: Page): Promise<number> {
  const text = await page.getByTestId('practice-clock').innerText();
  const parts = /([\d:]+) left/.exec(text)![1].split(':').map(Number);
  return parts.reduce((total, part) => total * 60 + part, 0);
}

const taskRow = (page: Page, id: string) => page.locator(`[data-task-id="${id}"]`);

test('the practice opens from the catalog, its clock survives a reload, and a revealed hint is counted', async () => {
  const { page, context, errors } = await openApp(browser, '#/');
  try {
    const section = page.locator('.catalog-section[data-category="exam"]');
    await section.waitFor();
    expect(await section.locator('.exercise-card').count()).toBe(4);
    expect(await section.getByTestId('exercise-bands').first().innerText()).toMatch(
      /Scored 1 to 5: accuracy/,
    );
    await section.getByTestId('open-exam-practice').click();

    await page.getByTestId('start-practice').click();
    await page.getByTestId('practice-clock').waitFor();
    const atStart = await secondsLeft(page);
    expect(atStart).toBeGreaterThan(119 * 60 - 30);
    expect(await page.getByTestId('practice-total').innerText()).toBe('0 / 20');

    await page.reload();
    await page.getByTestId('practice-clock').waitFor();
    expect(await page.getByTestId('start-practice').count()).toBe(0);
    // The same clock, still counting down: never back to the full time box.
    await expect.poll(() => secondsLeft(page), { timeout: 10_000 }).toBeLessThan(atStart);
    expect(await secondsLeft(page)).toBeGreaterThan(0);
    expect(await taskRow(page, 'exam-basic').getByTestId('practice-hints').innerText()).toBe('no hints used');

    // A task's page: its bands and the practice clock, and hints revealed one at a time.
    await taskRow(page, 'exam-basic').locator('a').first().click();
    await page.getByTestId('task-practice-clock').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('task-bands').innerText()).toContain('Scored 1 to 5');
    const hints = page.getByTestId('hints');
    await hints.locator('summary').click();
    await hints.getByTestId('reveal-hint').click();
    await expect.poll(() => hints.getByTestId('hint').count()).toBe(1);
    expect(await hints.locator('summary').innerText()).toContain('1 revealed');
    await screenshot(page, 'exam-practice-task');

    await page.reload();
    await page.getByTestId('hints').locator('summary').click();
    await expect.poll(() => page.getByTestId('hints').getByTestId('hint').count()).toBe(1);

    await page.goto(page.url().replace(/#.*$/, '#/exam-practice'));
    await page.getByTestId('practice-clock').waitFor();
    expect(await taskRow(page, 'exam-basic').getByTestId('practice-hints').innerText()).toBe('1 hint used');
    expect(await taskRow(page, 'exam-fashion-cnn').getByTestId('practice-hints').innerText()).toBe(
      'no hints used',
    );
    await screenshot(page, 'exam-practice');
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});

test("a task's run during the practice: the report shows its band score and hints, the practice counts it", async () => {
  const { page, context, errors } = await openApp(browser, '#/exam-practice');
  try {
    await pinBackend(page, 'wasm');
    await page.goto(page.url().replace(/#.*$/, '#/exam-practice'));
    await page.getByTestId('start-practice').click();
    await page.getByTestId('practice-clock').waitFor();

    await openExercise(page, 'exam-basic');
    const hints = page.getByTestId('hints');
    await hints.locator('summary').click();
    await hints.getByTestId('reveal-hint').click();
    await replaceCode(page, quickDenseSolution);
    await page.getByTestId('run-button').click();
    await page.getByTestId('report').waitFor({ timeout: 240_000 });
    const band = await page.getByTestId('band-score').innerText();
    expect(band).toMatch(/^Exam score [1-5] of 5: accuracy 0\.\d{3}, band .+ · 1 hint used$/);
    const score = Number(/score ([1-5]) of 5/.exec(band)![1]);

    await page.goto(page.url().replace(/#.*$/, '#/exam-practice'));
    const row = taskRow(page, 'exam-basic');
    await expect.poll(() => row.getByTestId('practice-score').innerText()).toContain(`${score} / 5`);
    expect(await page.getByTestId('practice-total').innerText()).toBe(`${score} / 20`);
    expect(await row.getByTestId('practice-hints').innerText()).toBe('1 hint used');
    await page.reload();
    await expect.poll(() => row.getByTestId('practice-score').innerText()).toContain(`${score} / 5`);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});
