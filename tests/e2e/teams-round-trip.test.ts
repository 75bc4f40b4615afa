/**
 * The team-lead round trip in Chromium: a lead builds a set (target lowered, private test
 * attached), exports it; a learner opens the learners' copy, trains, and exports a submission; the
 * lead drops it (with a tampered and a malformed one) into the roster, re-grades in the worker on
 * the private test, sees pass without flags, the tampered one flagged, the bad file named, and
 * exports the CSV.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, openApp, pinBackend, replaceCode } from './browser';
import { captureDownload, jsonFile, quickDenseSolution, screenshot } from './teams-helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const hostileTitle = 'Week 1 <img src=x onerror="window.__pwned=1">';
const hostileNotes =
  'Train **fast**. <img src=x onerror="window.__pwned=2"><script>window.__pwned=3</script>';

test('lead builds a set, learner trains and submits, lead re-grades and exports the roster', async () => {
  const lead = await openApp(browser);
  const learner = await openApp(browser);
  try {
    // ---- the lead builds the set ----------------------------------------------------------
    const { page } = lead;
    await pinBackend(page, 'wasm');
    await page.goto(page.url().replace(/#.*$/, '#/sets/new'));
    await page.getByTestId('set-title-input').fill(hostileTitle);
    await page.getByTestId('set-notes-input').fill(hostileNotes);
    await page.locator('.builder-catalog [data-exercise-id="fashion-mnist-dense"] button').click();
    const entry = page.locator('.builder-entries [data-exercise-id="fashion-mnist-dense"]');
    await entry.getByTestId('override-threshold').fill('0.5');
    await entry.getByTestId('override-minutes').fill('5');
    await page.getByTestId('private-dataset-id').fill('fashion-mnist');
    await page.getByTestId('attach-private-test').click();
    await expect
      .poll(() => page.getByTestId('private-test').innerText(), { timeout: 60_000 })
      .toMatch(/fashion-mnist \(test split, 10000 images\)/);
    await page.getByTestId('build-set').click();
    await page.getByTestId('builder-output').waitFor();
    // A private test of 4 MB never fits a link, but the learner copy carries none: a link is made.
    const link = await page.getByTestId('set-link').inputValue();
    expect(link).toMatch(/#set=[A-Za-z0-9_-]+$/);
    await screenshot(page, 'teams-set-builder');
    const leadSet = await captureDownload(page, page.getByTestId('export-lead-set'));
    const learnerSet = await captureDownload(page, page.getByTestId('export-learner-set'));
    expect(leadSet.name).toMatch(/^week-1-img-src-x-onerror-window-pwned-1\.cvset\.json$/);
    const leadJson = JSON.parse(leadSet.text);
    const learnerJson = JSON.parse(learnerSet.text);
    expect(leadJson.privateTest.files.map((f: { name: string }) => f.name)).toEqual([
      'test-images-0.bin.gzip',
      'test-labels-0.bin.gzip',
    ]);
    expect(learnerJson.privateTest).toBeUndefined();
    expect(learnerJson.exercises).toEqual([
      {
        id: 'fashion-mnist-dense',
        targets: [{ metric: 'accuracy', split: 'test', atLeast: 0.5 }],
        limits: { timeSeconds: 300 },
      },
    ]);

    // ---- the learner opens it, trains, submits --------------------------------------------
    const lp = learner.page;
    await pinBackend(lp, 'wasm');
    expect(await lp.evaluate(() => localStorage.getItem('cv-lab.settings'))).toContain('"wasm"');
    await lp.goto(lp.url().replace(/#.*$/, '#/sets'));
    await lp.getByTestId('set-file-input').setInputFiles(jsonFile(learnerSet.name, learnerSet.text));
    await lp.getByTestId('set-title').waitFor();
    expect(await lp.getByTestId('set-title').innerText()).toBe(hostileTitle);
    expect(await lp.locator('.set-notes strong').innerText()).toBe('fast');
    expect(await lp.locator('.set-notes img[onerror], .set-notes script').count()).toBe(0);
    expect(await lp.locator('[data-exercise-id="fashion-mnist-dense"]').innerText()).toContain(
      'test accuracy ≥ 0.5',
    );
    await screenshot(lp, 'teams-set-page-before');
    await lp.locator('[data-exercise-id="fashion-mnist-dense"] a').click();
    await lp.locator('.code-editor-host .monaco-editor').waitFor({ timeout: 60_000 });
    expect(await lp.getByTestId('set-banner').innerText()).toContain(hostileTitle);
    expect(await lp.evaluate(() => localStorage.getItem('cv-lab.settings'))).toContain('"wasm"');
    await replaceCode(lp, quickDenseSolution);
    await lp.getByTestId('run-button').click();
    await lp.getByTestId('report').waitFor({ timeout: 180_000 });
    expect(await lp.getByTestId('verdict').innerText()).toBe('Passed');
    await lp.getByTestId('export-submission').click();
    await lp.getByTestId('learner-name').fill('Ada Lovelace');
    const submission = await captureDownload(lp, lp.getByRole('button', { name: 'Export', exact: true }));
    expect(submission.name).toBe('ada-lovelace.fashion-mnist-dense.cvsub.json');
    const submissionJson = JSON.parse(submission.text);
    expect(submissionJson).toMatchObject({
      format: 'cv-lab-submission',
      learner: { name: 'Ada Lovelace' },
      setId: learnerJson.id,
      setTitle: hostileTitle,
      exerciseId: 'fashion-mnist-dense',
      report: { passed: true },
    });
    // WASM is pinned; should its probe fail, the run falls back (the log says why): either way the
    // submission names the backend that trained.
    expect(submissionJson.environment.backend).toBe(submissionJson.report.backend);
    const backend: string = submissionJson.environment.backend;
    // Re-graded on the private test: the same images as the public test split here, so the same figure.
    const accuracy = submissionJson.report.metrics.accuracy.toFixed(4);
    expect(submissionJson.model.weightsSha256).toBe(submissionJson.report.modelHash);
    expect(submissionJson.code).toContain('limit: 2000');
    expect(submissionJson.history).toHaveLength(2);
    await screenshot(lp, 'teams-exercise-in-set');
    // The set page shows the progress, and remembers the name for the next export.
    await lp.locator('.back-link').click();
    await expect.poll(() => lp.getByTestId('set-progress').innerText()).toMatch(/Passed · \d+\/100/);
    await screenshot(lp, 'teams-set-page-after');

    // The link opens the same set (the lead checks it before sending it).
    await page.goto(link);
    await expect.poll(() => page.getByTestId('set-title').innerText()).toBe(hostileTitle);
    expect(page.url()).toMatch(new RegExp(`#/set/${learnerJson.id}$`));

    // ---- the lead re-grades -----------------------------------------------------------------
    const tampered = JSON.parse(submission.text);
    tampered.learner.name = 'Mallory';
    const base64: string = tampered.model.weightDataBase64;
    const at = base64.indexOf('A', 100);
    tampered.model.weightDataBase64 = `${base64.slice(0, at)}B${base64.slice(at + 1)}`;
    await page.goto(page.url().replace(/#.*$/, '#/roster'));
    await page.getByTestId('roster-set-input').setInputFiles(jsonFile(leadSet.name, leadSet.text));
    await expect.poll(() => page.getByTestId('roster-set').innerText()).toContain('private test attached');
    await page
      .getByTestId('roster-file-input')
      .setInputFiles([
        jsonFile(submission.name, submission.text),
        jsonFile('mallory.fashion-mnist-dense.cvsub.json', JSON.stringify(tampered)),
        jsonFile('truncated.cvsub.json', submission.text.slice(0, 400)),
      ]);
    expect(await page.getByTestId('roster-errors').innerText()).toMatch(
      /truncated\.cvsub\.json: submission: not JSON .*truncated/,
    );
    await page.getByTestId('regrade-all').click();
    const cell = (name: string) =>
      page.locator(
        `[data-testid="roster-cell"][data-learner="${name}"][data-exercise="fashion-mnist-dense"]`,
      );
    await expect
      .poll(() => cell('Ada Lovelace').innerText(), { timeout: 120_000 })
      .toBe(
        `PASS\naccuracy ${accuracy}\n${submissionJson.report.timings.trainSeconds.toFixed(1)} s\n${backend}`,
      );
    await expect.poll(() => cell('Mallory').innerText(), { timeout: 120_000 }).toMatch(/model-hash/);
    await cell('Ada Lovelace').click();
    const detail = page.getByTestId('roster-detail');
    expect(await detail.getByTestId('verdict').innerText()).toBe('Passed');
    expect(await detail.getByTestId('metrics').innerText()).toMatch(/Test images\s+10000/);
    await cell('Mallory').click();
    expect(await page.getByTestId('roster-detail-flags').innerText()).toMatch(
      /model-hash: the model's weights do not match their SHA-256/,
    );
    await screenshot(page, 'teams-roster');

    const csv = await captureDownload(page, page.getByTestId('export-csv'));
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'learner,set,exercise,result,regrade,metric,value,score,submitted_at,late,train_seconds,backend,flags,file,error,comment,reproduction',
    );
    expect(lines).toHaveLength(4);
    const ada = lines.find((l) => l.startsWith('Ada Lovelace,'))!;
    // The title holds quotes: the cell is quoted per RFC 4180, the text kept as it is.
    expect(ada.startsWith('Ada Lovelace,"Week 1 <img src=x onerror=""window.__pwned=1"">",')).toBe(true);
    expect(
      ada.endsWith(
        `,fashion-mnist-dense,pass,pass,accuracy,${accuracy},100.0,${submissionJson.createdAt},,` +
          `${submissionJson.report.timings.trainSeconds.toFixed(1)},${backend},,ada-lovelace.fashion-mnist-dense.cvsub.json,,,`,
      ),
    ).toBe(true);
    expect(lines.find((l) => l.startsWith('Mallory,'))).toMatch(/,fail|,pass/);
    expect(lines.find((l) => l.startsWith('Mallory,'))).toContain('model-hash: ');
    expect(lines.find((l) => l.includes('truncated.cvsub.json'))).toMatch(/^,,,error,.*not JSON/);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await lp.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    // Chromium reports an inline event handler to the page's Content-Security-Policy as soon as the
    // sanitiser parses one (the hostile notes' `onerror`), before removing it: blocked, never run.
    const blockedHandler =
      /Executing inline event handler violates the following Content Security Policy.*has been blocked/;
    const unexpected = (errors: string[]) =>
      errors.filter((e) => !/Failed to load resource/.test(e) && !blockedHandler.test(e));
    expect(unexpected(lead.errors)).toEqual([]);
    expect(unexpected(learner.errors)).toEqual([]);
  } finally {
    await lead.context.close();
    await learner.context.close();
  }
});
