/**
 * Exam mode for real (issue 10, item 5), checked as a candidate with the browser's tools would:
 * the built app's eagerly loaded files hold no solution, hint or quiz answer; in an exam-mode set
 * the page never requests the files that hold them (nor has its service worker cached them), the
 * function exercise is graded from the build's key, and the quiz is handed in for the lead to
 * grade. Outside an exam the hints load, as a file of their own, when opened.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchChromium, openApp, pinBackend } from './browser';
import { jsonFile } from './teams-helpers';
import { cvLab } from '../unit/cli/run-cli';

const root = path.resolve(import.meta.dirname, '../..');
const exercises = fs.readdirSync(path.join(root, 'exercises'));
const read = (file: string) =>
  fs.existsSync(path.join(root, file)) ? fs.readFileSync(path.join(root, file), 'utf8') : '';

/**
 * Each secret as the lines of it that appear nowhere a learner may see (starters and briefs).
 * A hint or a quiz explanation is a sentence of its own: any one found is a leak. A solution's
 * lines are often the idiom every tfjs program writes (`tf.layers.flatten()`), which the Keras
 * reference teaches too: it leaks when more than half of its lines are found in one file.
 */
function secrets(): { file: string; lines: string[]; leaksAt: number }[] {
  const out: { file: string; lines: string[]; leaksAt: number }[] = [];
  // What every learner may see: each exercise's starter and brief (a later exercise's starter may
  // start from an earlier one's answer, as transfer-fine-tune's does).
  const open = exercises
    .map((id) => read(`exercises/${id}/starter.ts`) + read(`exercises/${id}/brief.md`))
    .join('\n');
  for (const id of exercises) {
    const distinct = (text: string) =>
      text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length > 30 && !open.includes(l));
    const solution = distinct(read(`exercises/${id}/solution.ts`));
    if (solution.length >= 3)
      out.push({ file: `${id}/solution.ts`, lines: solution, leaksAt: Math.floor(solution.length / 2) + 1 });
    for (const line of distinct(read(`exercises/${id}/hints.md`))) {
      out.push({ file: `${id}/hints.md`, lines: [line], leaksAt: 1 });
    }
    const quiz = read(`exercises/${id}/quiz.json`);
    for (const q of quiz ? JSON.parse(quiz).questions : []) {
      out.push({ file: `${id}/quiz.json`, lines: [q.explanation], leaksAt: 1 });
    }
  }
  return out;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('the files the page loads up front hold no solution, hint or quiz answer', () => {
  const dist = path.join(root, 'dist');
  const upFront = [
    ...fs
      .readdirSync(path.join(dist, 'assets'))
      .filter((f) => f.endsWith('.js') && !f.startsWith('private-'))
      .map((f) => `assets/${f}`),
    'index.html',
    'sw.js',
    'sandbox-worker.js',
  ];
  const texts = upFront.map((file) => [file, fs.readFileSync(path.join(dist, file), 'utf8')] as const);
  const all = secrets();
  expect(all.length).toBeGreaterThan(50);
  const leaks: string[] = [];
  for (const { file, lines, leaksAt } of all) {
    for (const [built, text] of texts) {
      // As written, or escaped inside a JS string.
      const found = lines.filter(
        (line) => text.includes(line) || text.includes(JSON.stringify(line).slice(1, -1)),
      );
      if (found.length >= leaksAt)
        leaks.push(`${file} in ${built}: ${found.length} of ${lines.length} lines`);
    }
  }
  expect(leaks).toEqual([]);
  // The service worker precaches no private chunk, and does precache the function keys an exam
  // grades with offline.
  const serviceWorker = fs.readFileSync(path.join(dist, 'sw.js'), 'utf8');
  expect(serviceWorker).not.toMatch(/"\/assets\/private-[^"]*\.js"/);
  expect(serviceWorker).toMatch(/"\/assets\/grading-metrics-iou-[^"]*\.js"/);
  expect(
    fs.readdirSync(path.join(dist, 'assets')).filter((f) => f.startsWith('private-')).length,
  ).toBeGreaterThan(20);
});

async function cachedUrls(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
    }
    return urls;
  });
}

describe('in the page', () => {
  test('an exam never loads hints, solutions or quiz answers; functions are graded, the quiz handed in', async () => {
    const { page, context, errors } = await openApp(browser, '#/sets');
    const requested: string[] = [];
    context.on('request', (request) => requested.push(new URL(request.url()).pathname));
    try {
      await pinBackend(page, 'wasm');
      await page.goto(`${inject('baseUrl')}/#/sets`);
      // The lead's own file, private case included: the learner's page keeps a learner copy.
      const lead = {
        format: 'cv-lab-set',
        version: 1,
        id: 'exam-secrets',
        title: 'Mock exam',
        createdAt: '2026-12-01T00:00:00Z',
        exam: { enabled: true, minutes: 30 },
        exercises: [
          {
            id: 'metrics-iou',
            privateCases: [
              {
                name: 'huge boxes',
                call: 'iou',
                args: [
                  [0, 0, 1000, 1000],
                  [500, 500, 1500, 1500],
                ],
              },
            ],
          },
          { id: 'quiz-cnn-architectures' },
        ],
      };
      await page
        .getByTestId('set-file-input')
        .setInputFiles(jsonFile('exam.cvset.json', JSON.stringify(lead)));
      await page.getByTestId('start-exam').click();
      const setUrl = page.url();

      await page.locator('[data-exercise-id="quiz-cnn-architectures"] a').click();
      await page.getByTestId('quiz-form').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('hints').count()).toBe(0);
      await page.locator('[data-testid="quiz-form"] input').first().check();
      await page.getByTestId('run-button').click();
      await page.getByTestId('report').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('verdict').innerText()).toBe('Handed in');
      expect(await page.getByTestId('report').innerText()).toContain('your team lead grades the quiz');

      await page.goto(setUrl);
      expect(await page.getByTestId('set-progress').first().innerText()).toBe('Not submitted');
      await page.locator('[data-exercise-id="metrics-iou"] a').click();
      await page.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('hints').count()).toBe(0);
      await page.getByTestId('run-button').click();
      await page.getByTestId('report').waitFor({ timeout: 60_000 });
      // The catalog's 20 hidden cases, graded from the build's key; the lead's private case stayed behind.
      expect(await page.getByTestId('report').innerText()).toMatch(/\d+ of 20 cases pass/);
      expect(await page.getByTestId('report').innerText()).not.toContain('huge boxes');

      await page.goto(setUrl);
      expect(await page.locator('[data-testid="set-progress"]').allInnerTexts()).toEqual([
        expect.stringMatching(/^(Passed|Failed) · \d+\/100$/),
        'Handed in · graded by your team lead',
      ]);

      // Mid-exam, an edited copy under the same id turns the exam off: the clock still rules, so
      // the quiz can neither run nor load its answers, and no hints appear.
      const editedCopy = { ...lead, exam: { enabled: false, minutes: 30 } };
      await page.goto(`${inject('baseUrl')}/#/sets`);
      await page
        .getByTestId('set-file-input')
        .setInputFiles(jsonFile('exam.cvset.json', JSON.stringify(editedCopy)));
      await page.getByTestId('set-conflict-replace').click();
      await expect.poll(() => page.getByTestId('set-conflict').count()).toBe(0);
      await page.goto(`${setUrl}/exercise/quiz-cnn-architectures`);
      await page.getByTestId('quiz-form').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('hints').count()).toBe(0);
      expect(await page.getByTestId('run-button').isDisabled()).toBe(true);

      expect(requested.filter((p) => p.startsWith('/assets/private-'))).toEqual([]);
      expect(requested.some((p) => p.startsWith('/assets/grading-metrics-iou-'))).toBe(true);
      expect((await cachedUrls(page)).filter((url) => url.includes('/assets/private-'))).toEqual([]);
      expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('outside an exam the hints load, as their own file, when opened', async () => {
    const { page, context } = await openApp(browser, '#/exercise/metrics-iou');
    const requested: string[] = [];
    context.on('request', (request) => requested.push(new URL(request.url()).pathname));
    try {
      const hints = page.getByTestId('hints');
      await hints.waitFor({ timeout: 30_000 });
      expect(requested.filter((p) => p.startsWith('/assets/private-'))).toEqual([]);
      await hints.locator('summary').click();
      // Hints are revealed one at a time (and counted): the third holds the union.
      for (let i = 0; i < 3; i++) await hints.getByTestId('reveal-hint').click();
      await expect.poll(() => hints.innerText()).toContain('Union = area(a) + area(b) − intersection');
      expect(requested.filter((p) => p.startsWith('/assets/private-'))).toEqual([
        expect.stringMatching(/^\/assets\/private-hints-metrics-iou-/),
      ]);
    } finally {
      await context.close();
    }
  });

  test("the lead's roster adds the set's private cases: a submission hard-coded around the catalog's fails", async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-lab-private-cases-'));
    const cheat = path.join(work, 'cheat.ts');
    fs.writeFileSync(
      cheat,
      read('exercises/metrics-iou/solution.ts').replace(
        /export function iou\(a: Box, b: Box\): number \{/,
        '$&\n  if (Math.max(...a, ...b) > 500) return 0;',
      ),
    );
    const out = path.join(work, 'cheat.cvsub.json');
    const made = await cvLab([
      'submission',
      'create',
      '-e',
      'metrics-iou',
      '-c',
      cheat,
      '-n',
      'Mallory',
      '-o',
      out,
      '-q',
    ]);
    expect(made.code, made.stderr).toBe(0);
    const lead = {
      format: 'cv-lab-set',
      version: 1,
      id: 'private-cases',
      title: 'Week 3',
      createdAt: '2026-12-01T00:00:00Z',
      exercises: [
        {
          id: 'metrics-iou',
          privateCases: [
            {
              name: 'huge boxes',
              call: 'iou',
              args: [
                [0, 0, 1000, 1000],
                [500, 500, 1500, 1500],
              ],
            },
          ],
        },
      ],
    };
    const { page, context } = await openApp(browser, '#/roster');
    try {
      await pinBackend(page, 'wasm');
      await page.goto(`${inject('baseUrl')}/#/roster`);
      await page
        .getByTestId('roster-set-input')
        .setInputFiles(jsonFile('week-3.cvset.json', JSON.stringify(lead)));
      expect(await page.getByTestId('roster-set').innerText()).toMatch(/, 1 private case /);
      await page
        .getByTestId('roster-file-input')
        .setInputFiles(jsonFile('cheat.cvsub.json', fs.readFileSync(out, 'utf8')));
      await page.getByTestId('regrade-all').click();
      const cell = page.locator(
        '[data-testid="roster-cell"][data-learner="Mallory"][data-exercise="metrics-iou"]',
      );
      await expect.poll(() => cell.innerText(), { timeout: 120_000 }).toMatch(/^FAIL/);
      await cell.click();
      await expect.poll(() => page.getByTestId('roster-detail').innerText()).toContain('private: huge boxes');
    } finally {
      await context.close();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
