/**
 * The learner's side of sets in Chromium, beyond the round trip: exam mode (timer across reloads,
 * hints hidden, "Submit and test", a clean end that stops the run and shows the score) and set
 * files that are malformed or of another version (a clear error naming the file; nothing lost).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, openApp, pinBackend, replaceCode } from './browser';
import { captureDownload, jsonFile, screenshot } from './teams-helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Trains for far longer than the test waits: only the exam's end stops it. */
const endlessTraining = `import type { Lab } from 'cv-lab';
export default async function train(lab: Lab) {
const { tf } = lab;
const { train } = await lab.data.load('fashion-mnist', { limit: 1000 });
const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' })] });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(train.xs, train.ys, { epochs: 500, batchSize: 8, callbacks: lab.callbacks() });
return model;
}
`;

/** Moves the exam's start back so that `secondsLeft` remain, as if the learner had been at it. */
async function rewindExamClock(page: Page, setId: string, secondsLeft: number, minutes: number) {
  await page.evaluate(
    ({ setId, startedAt }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('cv-lab-teams');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('exams', 'readwrite');
          tx.objectStore('exams').put({ setId, startedAt });
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    { setId, startedAt: new Date(Date.now() - minutes * 60_000 + secondsLeft * 1000).toISOString() },
  );
}

test('exam mode: timer across reloads, hints hidden, and time up stops the run and shows the score', async () => {
  const { page, context, errors } = await openApp(browser);
  try {
    await pinBackend(page, 'wasm');
    const base = page.url().replace(/#.*$/, '');
    await page.goto(`${base}#/sets/new`);
    await page.getByTestId('set-title-input').fill('Mock exam');
    await page.locator('.builder-catalog [data-exercise-id="fashion-mnist-dense"] button').click();
    await page.getByTestId('exam-enabled').check();
    await page.getByTestId('exam-minutes').fill('30');
    await page.getByTestId('build-set').click();
    const learnerSet = await captureDownload(page, page.getByTestId('export-learner-set'));
    expect(JSON.parse(learnerSet.text).exam).toEqual({
      enabled: true,
      minutes: 30,
      weights: { beginner: 1, intermediate: 2, advanced: 3 },
    });

    await page.goto(`${base}#/sets`);
    await page.getByTestId('set-file-input').setInputFiles(jsonFile(learnerSet.name, learnerSet.text));
    await page.getByTestId('start-exam').click();
    await expect.poll(() => page.getByTestId('exam-clock').innerText()).toMatch(/^(30:00|29:[0-5]\d) left$/);
    const setUrl = page.url();
    const setId = /#\/set\/([^/]+)$/.exec(setUrl)![1];
    await screenshot(page, 'teams-exam-set-page');

    await page.locator('[data-exercise-id="fashion-mnist-dense"] a').click();
    await page.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('exam-clock').innerText()).toMatch(/^Exam: (30:00|29:[0-5]\d) left$/);
    expect(await page.locator('.hints').count()).toBe(0);
    expect(await page.getByTestId('run-button').innerText()).toContain('Submit and test');
    await screenshot(page, 'teams-exam-exercise');

    // The clock lives in IndexedDB: a reload does not restart it.
    await rewindExamClock(page, setId, 40, 30);
    await page.reload();
    await page.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('exam-clock').innerText()).toMatch(/^Exam: 0:[0-4]\d left$/);

    // Time runs out while training: the run stops and nothing more is accepted.
    await replaceCode(page, endlessTraining);
    await page.getByTestId('run-button').click();
    await expect.poll(() => page.getByTestId('run-status').innerText()).toMatch(/Running/);
    await page.getByTestId('exam-over').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('run-status').innerText()).toBe('Stopped');
    expect(await page.getByTestId('run-button').isDisabled()).toBe(true);
    await screenshot(page, 'teams-exam-over-exercise');

    await page.goto(setUrl);
    const summary = page.getByTestId('exam-summary');
    await summary.waitFor();
    expect(await page.getByTestId('exam-total').innerText()).toBe('0.0');
    expect(await summary.innerText()).toContain('not submitted');
    expect(await page.locator('[data-testid="set-exercises"] a').count()).toBe(0);
    await screenshot(page, 'teams-exam-summary');
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});

test('malformed or newer set files show what is wrong, and the sets already opened stay', async () => {
  const { page, context } = await openApp(browser, '#/sets');
  try {
    const good = {
      format: 'cv-lab-set',
      version: 1,
      id: 'week-1',
      title: 'Week 1',
      exercises: [{ id: 'fashion-mnist-dense' }],
      createdAt: '2025-06-01T09:00:00Z',
    };
    await page
      .getByTestId('set-file-input')
      .setInputFiles(jsonFile('week-1.cvset.json', JSON.stringify(good)));
    await page.getByTestId('set-title').waitFor();
    await page.goto(page.url().replace(/#.*$/, '#/sets'));
    await page
      .getByTestId('set-file-input')
      .setInputFiles([
        jsonFile('newer.cvset.json', JSON.stringify({ ...good, version: 2 })),
        jsonFile('truncated.cvset.json', JSON.stringify(good).slice(0, 60)),
        jsonFile('twice.cvset.json', JSON.stringify({ ...good, exercises: [{ id: 'a' }, { id: 'a' }] })),
      ]);
    const error = await page.getByTestId('set-import-error').innerText();
    expect(error).toMatch(/newer\.cvset\.json: set: .*version 2 is newer than this CV Lab reads \(1\)/);
    expect(error).toMatch(/truncated\.cvset\.json: set: not JSON/);
    expect(error).toMatch(/twice\.cvset\.json: set: exercises\.1\.id: 'a' is listed twice/);
    expect(await page.locator('[data-set-id="week-1"]').count()).toBe(1);
    await page.getByTestId('set-link-input').fill('http://127.0.0.1/#set=AAAA');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(() => page.getByTestId('set-import-error').innerText()).toMatch(/set link: damaged/);
    await screenshot(page, 'teams-sets-errors');
  } finally {
    await context.close();
  }
});
