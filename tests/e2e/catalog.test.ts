/**
 * The catalog as a new learner walks it: sections from the basics to quizzes, easier exercises
 * first, targets in words, a category filter; a wrong answer and then a right one to a function
 * exercise, and the section's progress counting the pass. What the page should list is derived
 * from the exercises/ folder (read as the build reads it), so adding an exercise changes no line here.
 */
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { categorySections } from '../../src/app/categories';
import { readCatalog } from '../../src/cli/catalog';
import { compareForCatalog } from '../../src/core/exercises/catalog';
import { categories, type Exercise } from '../../src/core/exercises/schema';
import { describeTargets } from '../../src/core/grading/target-text';
import { launchChromium, openApp, openExercise, replaceCode } from './browser';

let browser: Browser;
/** The catalog's exercises in the order the page walks them. */
let exercises: Exercise[];
beforeAll(async () => {
  const catalog = await readCatalog();
  expect(catalog.errors).toEqual([]);
  exercises = catalog.bundles.map((bundle) => bundle.exercise).sort(compareForCatalog);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Each category with exercises, in `categories` order, with its exercises in path order. */
function sections(): { category: Exercise['category']; ids: string[] }[] {
  return categories
    .map((category) => ({
      category,
      ids: exercises.filter((e) => e.category === category).map((e) => e.id),
    }))
    .filter((section) => section.ids.length > 0);
}

const heading = (category: Exercise['category'], passed: number) => {
  const count = exercises.filter((e) => e.category === category).length;
  return `${categorySections[category].title} ${passed} of ${count} passed`;
};

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
    expect(await page.locator('.catalog-section h2').allInnerTexts()).toEqual(
      sections().map(({ category }) => heading(category, 0)),
    );
    const ids = (selector: string) =>
      page.locator(selector).evaluateAll((cards) => cards.map((c) => c.getAttribute('data-exercise-id')));
    for (const { category, ids: expected } of sections()) {
      expect(await ids(`.catalog-section[data-category="${category}"] .exercise-card`)).toEqual(expected);
    }
    // Targets in words, for every exercise that has them; none for those without.
    const targets = await page
      .locator('.exercise-card')
      .evaluateAll((cards) =>
        cards.map((c) => [
          c.getAttribute('data-exercise-id'),
          c.querySelector('.exercise-targets')?.textContent ?? null,
        ]),
      );
    expect(targets).toEqual(
      exercises.map((e) => [
        e.id,
        e.targets.length > 0 ? `To pass: ${describeTargets(e.targets, e.kind)}` : null,
      ]),
    );
    expect(targets.find(([id]) => id === 'metrics-iou')?.[1]).toBe('To pass: every one of the hidden cases');

    await page.locator('.catalog-filter button[data-category="metrics"]').click();
    expect(await page.locator('.catalog-section').count()).toBe(1);
    const metrics = sections().find((section) => section.category === 'metrics')!.ids;
    expect(metrics).toContain('metrics-iou');
    expect(await ids('.exercise-card')).toEqual(metrics);

    await openExercise(page, 'metrics-iou');
    await replaceCode(page, wrongIou);
    await page.getByTestId('run-button').click();
    await page.getByTestId('report').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('verdict').innerText()).toBe('Not passed yet');
    // A function exercise trains nothing: no empty curves, epoch table or confusion matrix.
    expect(await page.locator('[data-testid^="chart-"], [data-testid="epoch-table"], .charts').count()).toBe(
      0,
    );
    expect(await page.getByTestId('per-class').count()).toBe(0);
    expect(await page.getByTestId('log-panel').count()).toBe(1);
    await page.goto(`${inject('baseUrl')}/#/`);
    await expect
      .poll(() => page.locator('[data-exercise-id="metrics-iou"] .result-badge').innerText())
      .toMatch(/^Failed/);
    expect(await page.locator('.catalog-section[data-category="metrics"] h2').innerText()).toBe(
      heading('metrics', 0),
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
      heading('metrics', 1),
    );
    expect(await page.locator('.catalog-filter button').first().innerText()).toBe(
      `All 1/${exercises.length} passed`,
    );
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
