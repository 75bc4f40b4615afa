/**
 * The catalog as a new learner walks it: sections from the basics to quizzes, easier exercises
 * first, targets in words, a category filter; a wrong answer and then a right one to a function
 * exercise, and the section's progress counting the pass.
 */
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { launchChromium, openApp, openExercise, replaceCode } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const rightIou = fs.readFileSync('exercises/metrics-iou/solution.ts', 'utf8');
// A classic slip: intersection over the sum of the areas, not over the union.
const wrongIou = rightIou.replace(
  'const union = area(a) + area(b) - intersection;',
  'const union = area(a) + area(b);',
);

test('sections in path order, targets in words, a filter, and progress that counts a pass', async () => {
  const { page, context, errors } = await openApp(browser);
  try {
    await page.locator('.catalog-section').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('.catalog-section h2').allInnerTexts()).toEqual([
      'Convolutional networks 0 of 6 passed',
      'Data augmentation 0 of 1 passed',
      'Transfer learning 0 of 2 passed',
      'Preprocessing 0 of 2 passed',
      'Metrics 0 of 3 passed',
      'Deployment 0 of 1 passed',
      'Quizzes 0 of 3 passed',
    ]);
    const cnn = page.locator('.catalog-section[data-category="cnn"] .exercise-card');
    expect(await cnn.evaluateAll((cards) => cards.map((c) => c.getAttribute('data-exercise-id')))).toEqual([
      'fashion-mnist-dense',
      'fashion-mnist-cnn',
      'fashion-mnist-callback-stop',
      'fashion-mnist-one-conv',
      'shapes-cnn',
      'defects-binary',
    ]);
    const targets = (id: string) => page.locator(`[data-exercise-id="${id}"] .exercise-targets`).innerText();
    expect(await targets('defects-binary')).toBe(
      'To pass: test ROC-AUC ≥ 0.9, test recall at your threshold ≥ 0.9, test precision at your threshold ≥ 0.85',
    );
    expect(await targets('metrics-iou')).toBe('To pass: every one of the hidden cases');
    expect(await targets('quiz-cnn-architectures')).toBe('To pass: ≥ 80 % of the answers');

    await page.locator('.catalog-filter button[data-category="metrics"]').click();
    expect(await page.locator('.catalog-section').count()).toBe(1);
    expect(
      await page
        .locator('.exercise-card')
        .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-exercise-id'))),
    ).toEqual(['metrics-precision-recall', 'metrics-iou', 'metrics-segmentation']);

    await openExercise(page, 'metrics-iou');
    await replaceCode(page, wrongIou);
    await page.getByTestId('run-button').click();
    await page.getByTestId('report').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('verdict').innerText()).toBe('Not passed yet');
    await page.goto(`${inject('baseUrl')}/#/`);
    await expect
      .poll(() => page.locator('[data-exercise-id="metrics-iou"] .result-badge').innerText())
      .toMatch(/^Failed/);
    expect(await page.locator('.catalog-section[data-category="metrics"] h2').innerText()).toBe(
      'Metrics 0 of 3 passed',
    );

    await openExercise(page, 'metrics-iou');
    await replaceCode(page, rightIou);
    await page.getByTestId('run-button').click();
    await expect.poll(() => page.getByTestId('verdict').innerText(), { timeout: 60_000 }).toMatch(/Passed/);
    await page.goto(`${inject('baseUrl')}/#/`);
    await expect
      .poll(() => page.locator('[data-exercise-id="metrics-iou"] .result-badge').innerText())
      .toMatch(/^Passed/);
    expect(await page.locator('.catalog-section[data-category="metrics"] h2').innerText()).toBe(
      'Metrics 1 of 3 passed',
    );
    expect(await page.locator('.catalog-filter button').first().innerText()).toBe('All 1/18 passed');
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
