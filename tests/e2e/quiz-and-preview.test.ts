/**
 * The two form panels of the exercise page: a quiz answered with radio buttons and checkboxes and
 * checked through the Run path, exported as a submission (code, no model) that a lead re-grades in
 * the roster; and the augmentation preview drawing a grid in the worker.
 */
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { launchChromium, openApp } from './browser';
import { captureDownload, jsonFile } from './teams-helpers';

/** The reference answers, read from the exercise's own solution (`id: 0` or `id: [0, 2]`). */
const solution = fs.readFileSync('exercises/quiz-cnn-architectures/solution.ts', 'utf8');
const rightAnswers = [...solution.matchAll(/(\w+): (\d+|\[[\d, ]*\])/g)].map(([, id, value]) => ({
  id,
  choices: value.startsWith('[') ? (JSON.parse(value) as number[]) : [Number(value)],
}));

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('the quiz form passes with the right answers; the preview draws augmented images', async () => {
  const { page, context, errors } = await openApp(browser);
  try {
    await page.goto(`${inject('baseUrl')}/#/exercise/quiz-cnn-architectures`);
    await page.getByTestId('quiz-form').waitFor({ timeout: 30_000 });
    expect(rightAnswers).toHaveLength(8);
    // The starter's answers are loaded into the form: untick them, then tick the right ones.
    for (const box of await page.locator('[data-testid="quiz-form"] input[type="checkbox"]').all()) {
      await box.uncheck();
    }
    for (const { id, choices } of rightAnswers) {
      for (const choice of choices) {
        await page.locator(`input[name="quiz-${id}"][value="${choice}"]`).check();
      }
    }
    await page.getByTestId('run-button').click();
    await page.getByTestId('report').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('verdict').innerText()).toMatch(/Passed/);
    expect(await page.getByTestId('report').innerText()).toContain('Batch normalisation came in 2015');

    // A quiz has no model: its submission carries the answers' code, and the lead's re-grade runs it.
    await page.getByTestId('export-submission').click();
    await page.getByTestId('learner-name').fill('Grace Hopper');
    const submission = await captureDownload(page, page.getByRole('button', { name: 'Export', exact: true }));
    expect(submission.name).toBe('grace-hopper.quiz-cnn-architectures.cvsub.json');
    const submissionJson = JSON.parse(submission.text);
    expect(submissionJson).toMatchObject({ exerciseId: 'quiz-cnn-architectures', report: { passed: true } });
    expect(submissionJson.model).toBeUndefined();
    const boasting = JSON.parse(submission.text);
    boasting.learner.name = 'Mallory';
    boasting.code = boasting.code.replace(/alexnet: \[[\d, ]*\]/, 'alexnet: [1]');
    await page.goto(`${inject('baseUrl')}/#/roster`);
    await page
      .getByTestId('roster-file-input')
      .setInputFiles([
        jsonFile(submission.name, submission.text),
        jsonFile('mallory.quiz-cnn-architectures.cvsub.json', JSON.stringify(boasting)),
      ]);
    await page.getByTestId('regrade-all').click();
    const cell = (name: string) =>
      page.locator(
        `[data-testid="roster-cell"][data-learner="${name}"][data-exercise="quiz-cnn-architectures"]`,
      );
    await expect
      .poll(() => cell('Grace Hopper').innerText(), { timeout: 60_000 })
      .toMatch(/^PASS\naccuracy 1\.0000/);
    await expect.poll(() => cell('Mallory').innerText(), { timeout: 60_000 }).toMatch(/code-hash/);
    await cell('Mallory').click();
    expect(await page.getByTestId('roster-detail-flags').innerText()).toMatch(
      /report-mismatch: the stored report differs from the re-grade: .*accuracy 0\.8750 on re-grade, stored report says 1\.0000/,
    );
    await page.goto(`${inject('baseUrl')}/#/exercise/quiz-cnn-architectures`);

    // The form wrote the draft: after a reload the answers are still ticked.
    await page.reload();
    await page.getByTestId('quiz-form').waitFor({ timeout: 30_000 });
    expect(await page.locator('input[name="quiz-alexnet"][value="2"]').isChecked()).toBe(true);
    expect(await page.locator('input[name="quiz-alexnet"][value="1"]').isChecked()).toBe(false);

    await page.goto(`${inject('baseUrl')}/#/exercise/fashion-mnist-cnn`);
    const panel = page.getByTestId('augment-preview');
    await panel.locator('summary').click();
    await panel.locator('input[name="augment-flip"]').check();
    await panel.locator('input[name="augment-rotation"]').check();
    await panel.getByTestId('augment-preview-button').click();
    const canvas = page.locator('[data-testid="augment-preview-canvas"][data-drawn="true"]');
    await canvas.waitFor({ timeout: 30_000 });
    const drawn = await canvas.evaluate((element) => {
      const c = element as HTMLCanvasElement;
      const pixels = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let bright = 0;
      for (let i = 0; i < pixels.length; i += 4) if (pixels[i] > 0) bright++;
      return { width: c.width, height: c.height, bright };
    });
    // The 3×3 grid of 28×28 images, drawn at up to 4 screen pixels per image pixel (the column allows).
    expect(drawn.width).toBe(drawn.height);
    expect(drawn.width).toBeGreaterThanOrEqual(84);
    expect(drawn.bright).toBeGreaterThan(500);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});
