/**
 * Hostile submissions in the lead's roster, in Chromium (issue: learner code in a sandbox). Each
 * function submission's code runs again in a fresh sandbox frame, so one that patches globals
 * (`Math.abs`, `Array.prototype.every`, `JSON.stringify`) neither passes itself nor makes the next
 * row pass; its forged report changes nothing; and one that loops can be stopped, leaving the rows
 * as they were.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSubmission, repoRoot } from '../unit/cli/run-cli';
import { launchChromium, openApp, pinBackend } from './browser';
import { jsonFile } from './teams-helpers';

const work = mkdtempSync(join(tmpdir(), 'cv-lab-roster-hostile-'));

/** A submission made by the real CLI from a learner file, as a learner would hand it in. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- edited as an attacker edits JSON
type SubmissionJson = Record<string, any>;

async function submission(name: string, code: string): Promise<SubmissionJson> {
  const file = join(work, `${name}.ts`);
  writeFileSync(file, code);
  const out = join(work, `${name}.cvsub.json`);
  const made = await createSubmission({ exercise: 'metrics-iou', code: file, name, out });
  expect(made.code, made.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8'));
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('a patched-globals submission fails, does not make the next one pass, and a looping one can be stopped', async () => {
  const forged = await submission(
    'Mallory',
    readFileSync(join(repoRoot, 'tests/fixtures/hostile-learner/function-forged-pass.ts'), 'utf8'),
  );
  // The report is the learner's to write: it claims a pass.
  forged.report = { ...forged.report, passed: true, score: 100 };
  const wrong = await submission('Trudy', 'export function iou(): number {\n  return 0.5;\n}\n');
  const loop = structuredClone(wrong);
  loop.learner.name = 'Oscar';
  loop.code = 'export function iou(): number {\n  for (;;) {}\n}\n';
  loop.codeSha256 = createHash('sha256').update(loop.code).digest('hex');

  const { page, context } = await openApp(browser);
  try {
    await pinBackend(page, 'wasm');
    await page.goto(page.url().replace(/#.*$/, '#/roster'));
    await page
      .getByTestId('roster-file-input')
      .setInputFiles([
        jsonFile('mallory.cvsub.json', JSON.stringify(forged)),
        jsonFile('trudy.cvsub.json', JSON.stringify(wrong)),
      ]);
    await page.getByTestId('regrade-all').click();
    const cell = (name: string) =>
      page.locator(`[data-testid="roster-cell"][data-learner="${name}"][data-exercise="metrics-iou"]`);
    await expect.poll(() => cell('Trudy').innerText(), { timeout: 120_000 }).toMatch(/^FAIL/);
    expect(await cell('Mallory').innerText()).toMatch(/^FAIL/);
    expect(await cell('Mallory').innerText()).toMatch(/report-mismatch/);
    // Every sandbox frame is gone once its re-grade ended.
    expect(await page.locator('iframe[sandbox]').count()).toBe(0);

    await page
      .getByTestId('roster-file-input')
      .setInputFiles([jsonFile('oscar.cvsub.json', JSON.stringify(loop))]);
    await page.getByTestId('regrade-all').click();
    await expect.poll(() => cell('Oscar').innerText(), { timeout: 60_000 }).toMatch(/re-grading/);
    await page.getByTestId('stop-regrade').click();
    await expect.poll(() => page.getByTestId('regrade-all').isEnabled()).toBe(true);
    expect(await cell('Oscar').innerText()).not.toMatch(/re-grading/);
    expect(await page.locator('iframe[sandbox]').count()).toBe(0);
    // The rows graded before are kept.
    expect(await cell('Trudy').innerText()).toMatch(/^FAIL/);
  } finally {
    await context.close();
  }
});
