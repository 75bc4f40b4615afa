/**
 * The lead's roster lasts (issue 15): submissions, grades and comments survive a reload; loading the
 * same set again keeps the grades; a learner's bundle of submissions loads like single files; the
 * page's exports carry the set's title, totals and comments and no local paths; the gradebook has
 * one row per learner.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { createSubmission, repoRoot } from '../unit/cli/run-cli';
import { launchChromium, openApp, pinBackend } from './browser';
import { captureDownload, jsonFile } from './teams-helpers';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-lab-roster-lasting-'));
const setFile = path.join(work, 'week-3.cvset.json');
const leadSet = {
  format: 'cv-lab-set',
  version: 1,
  id: 'week-3',
  title: 'Week 3: metrics',
  dueDate: '2099-01-01T00:00:00Z',
  createdAt: '2026-12-01T00:00:00Z',
  exercises: [{ id: 'metrics-iou' }],
};
const solution = fs.readFileSync(path.join(repoRoot, 'exercises/metrics-iou/solution.ts'), 'utf8');

async function submission(name: string, code: string): Promise<string> {
  const file = path.join(work, `${name}.ts`);
  fs.writeFileSync(file, code);
  const out = path.join(work, `${name}.cvsub.json`);
  const made = await createSubmission({
    exercise: 'metrics-iou',
    code: file,
    name,
    out,
    set: setFile,
    quiet: true,
  });
  expect(made.code, made.stderr).toBe(0);
  return fs.readFileSync(out, 'utf8');
}

let browser: Browser;
beforeAll(async () => {
  fs.writeFileSync(setFile, JSON.stringify(leadSet));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const cell = (page: Page, learner: string) =>
  page.locator(`[data-testid="roster-cell"][data-learner="${learner}"][data-exercise="metrics-iou"]`);

test('submissions, grades and comments survive a reload; a bundle loads; exports carry what a lead sends', async () => {
  const ada = await submission('Ada', solution);
  const bob = await submission('Bob', 'export function iou(): number {\n  return 0.5;\n}\n');
  const carolFirst = JSON.parse(
    await submission('Carol', 'export function iou(): number {\n  return 0;\n}\n'),
  );
  const carolBundle = {
    format: 'cv-lab-submissions',
    version: 1,
    learner: { name: 'Carol' },
    setId: 'week-3',
    setTitle: leadSet.title,
    createdAt: '2026-12-02T10:00:00Z',
    submissions: [carolFirst, JSON.parse(await submission('Carol', solution))],
  };

  const { page, context } = await openApp(browser, '#/roster');
  try {
    await pinBackend(page, 'wasm');
    await page.goto(`${inject('baseUrl')}/#/roster`);
    await page
      .getByTestId('roster-set-input')
      .setInputFiles(jsonFile('week-3.cvset.json', JSON.stringify(leadSet)));
    await page
      .getByTestId('roster-file-input')
      .setInputFiles([
        jsonFile('ada.cvsub.json', ada),
        jsonFile('bob.cvsub.json', bob),
        jsonFile('carol.cvsubs.json', JSON.stringify(carolBundle)),
      ]);
    await page.getByTestId('regrade-all').click();
    await expect.poll(() => cell(page, 'Bob').innerText(), { timeout: 180_000 }).toMatch(/fail/i);
    await expect.poll(() => cell(page, 'Carol').innerText(), { timeout: 180_000 }).toMatch(/pass/i);
    await expect.poll(() => cell(page, 'Ada').innerText(), { timeout: 180_000 }).toMatch(/pass/i);
    // Carol handed in two attempts in one bundle: both are kept, the cell counts them.
    expect(await cell(page, 'Carol').innerText()).toMatch(/2 attempts/);

    await cell(page, 'Ada').click();
    const comment = page.getByTestId('roster-comment');
    await comment.fill('Clean and clear: well done.');
    await comment.blur();
    await expect.poll(() => cell(page, 'Ada').innerText()).toMatch(/comment/);

    // A reload keeps everything, grades included.
    await page.reload();
    await expect.poll(() => cell(page, 'Ada').innerText(), { timeout: 30_000 }).toMatch(/pass/i);
    expect(await cell(page, 'Bob').innerText()).toMatch(/fail/i);
    expect(await page.getByTestId('roster-set').innerText()).toContain('Week 3: metrics');
    await cell(page, 'Ada').click();
    expect(await page.getByTestId('roster-comment').inputValue()).toBe('Clean and clear: well done.');

    // The same set loaded again keeps the grades made.
    await page
      .getByTestId('roster-set-input')
      .setInputFiles(jsonFile('week-3.cvset.json', JSON.stringify(leadSet)));
    await expect.poll(() => cell(page, 'Bob').innerText()).toMatch(/fail/i);
    expect(await cell(page, 'Ada').innerText()).not.toMatch(/not re-graded/);

    const html = await captureDownload(page, page.getByTestId('export-html'));
    expect(html.text).toContain('Week 3: metrics');
    expect(html.text).toContain('Clean and clear: well done.');
    expect(html.text).not.toContain(work);
    expect(html.text).not.toMatch(/\/tmp\//);
    const csv = await captureDownload(page, page.getByTestId('export-csv'));
    expect(csv.text.split('\r\n').find((line) => line.startsWith('Ada,'))).toContain(
      'Clean and clear: well done.',
    );
    const gradebook = await captureDownload(page, page.getByTestId('export-gradebook'));
    const lines = gradebook.text.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^"?[Ll]earner/);
    expect(lines[0]).toContain('Intersection over union');
    expect(lines).toHaveLength(4);
    const json = JSON.parse((await captureDownload(page, page.getByTestId('export-json'))).text);
    expect(JSON.stringify(json)).toContain('Clean and clear: well done.');
  } finally {
    await context.close();
  }
});
