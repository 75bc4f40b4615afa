/**
 * "Re-grade and reproduce" in the roster page (issue 15): the lead's browser trains each training
 * submission's code again in the sandbox, with its recorded seed and backend, and compares the model
 * with the one handed in (core/grading/reproduce.ts, shared with `cv-lab grade --reproduce`).
 *
 * Ada's submission is honest (made by the CLI with seed 7). Mallory's is its tampered twin: the
 * model and report of another run of that code (seed 8) with the exercise's starter code, which
 * trains far less. The plain re-grade sees nothing wrong (every hash matches, the models differ,
 * the code is the starter's), the reproduction flags it with the figures.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createSubmission, repoRoot } from '../unit/cli/run-cli';
import { launchChromium, openApp, pinBackend } from './browser';
import { jsonFile, quickDenseSolution } from './teams-helpers';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-lab-roster-reproduce-'));
const EXERCISE = 'fashion-mnist-dense';
const starter = fs.readFileSync(path.join(repoRoot, `exercises/${EXERCISE}/starter.ts`), 'utf8');

/** quickDenseSolution trained by the CLI with `seed`: the submission file's text. */
async function trained(name: string, seed: number): Promise<string> {
  const code = path.join(work, `${name}.ts`);
  fs.writeFileSync(code, quickDenseSolution);
  const out = path.join(work, `${name}.cvsub.json`);
  const made = await createSubmission({ exercise: EXERCISE, code, name, out, seed, quiet: true });
  expect(made.code, made.stderr).toBe(0);
  return fs.readFileSync(out, 'utf8');
}

let honest: string;
let twin: string;
let browser: Browser;

beforeAll(async () => {
  honest = await trained('Ada', 7);
  const forged = JSON.parse(await trained('Mallory', 8));
  forged.code = starter;
  forged.codeSha256 = createHash('sha256').update(starter).digest('hex');
  twin = JSON.stringify(forged);
  browser = await launchChromium();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const cell = (page: Page, learner: string) =>
  page.locator(`[data-testid="roster-cell"][data-learner="${learner}"][data-exercise="${EXERCISE}"]`);

test('the lead reproduces two training submissions: one reproduced, its twin flagged with the figures', async () => {
  const { page, context, errors } = await openApp(browser, '#/roster');
  try {
    await pinBackend(page, 'wasm');
    await page.goto(`${inject('baseUrl')}/#/roster`);
    await page
      .getByTestId('roster-file-input')
      .setInputFiles([jsonFile('ada.cvsub.json', honest), jsonFile('mallory.cvsub.json', twin)]);

    // The plain re-grade: both models are what their files say, nothing is flagged.
    await page.getByTestId('regrade-all').click();
    for (const learner of ['Ada', 'Mallory']) {
      await expect.poll(() => cell(page, learner).innerText(), { timeout: 120_000 }).toMatch(/fail|pass/i);
      expect(await cell(page, learner).innerText()).not.toMatch(/flagged|reproduced/i);
    }

    await page.getByTestId('reproduce-all').click();
    await expect.poll(() => cell(page, 'Ada').innerText(), { timeout: 240_000 }).toMatch(/✓ reproduced/);
    await expect
      .poll(() => cell(page, 'Mallory').innerText(), { timeout: 240_000 })
      .toMatch(/not-reproduced/);
    expect(await cell(page, 'Ada').innerText()).not.toMatch(/flagged/i);
    expect(await cell(page, 'Mallory').innerText()).toMatch(/flagged/i);

    await cell(page, 'Ada').click();
    const adaFigures = await page.getByTestId('roster-reproduction').innerText();
    expect(adaFigures).toMatch(
      /^Reproduced: trained again here on wasm with its seed 7: test accuracy \d+\.\d\d % here, \d+\.\d\d % for the submitted model/,
    );

    await cell(page, 'Mallory').click();
    const malloryFigures = await page.getByTestId('roster-reproduction').innerText();
    const figures =
      /^Not reproduced: trained again here on wasm with its seed 8, its code reaches test accuracy (\d+\.\d\d) %; the submitted model reaches (\d+\.\d\d) %/;
    expect(malloryFigures).toMatch(figures);
    const [, here, submitted] = figures.exec(malloryFigures)!;
    expect(Number(submitted) - Number(here)).toBeGreaterThan(2);
    expect(await page.getByTestId('roster-detail-flags').innerText()).toContain('not-reproduced');

    // The proof lasts: a reload keeps both verdicts and their figures.
    await page.reload();
    await expect.poll(() => cell(page, 'Ada').innerText(), { timeout: 30_000 }).toMatch(/✓ reproduced/);
    expect(await cell(page, 'Mallory').innerText()).toMatch(/not-reproduced/);
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});
