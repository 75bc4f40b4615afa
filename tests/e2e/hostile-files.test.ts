/**
 * Files from other people in the page (tests/fixtures/hostile-page, see its README): set notes
 * render read-only, a set reusing an id never replaces the one held unless the learner chooses, and
 * a backup with anything wrong in it changes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { encodeSetLink, parseSet } from '../../src/core/exercises/set';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode, visibleCode } from './browser';
import { jsonFile, quickDenseSolution } from './teams-helpers';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/hostile-page');
const fixture = (name: string) => jsonFile(name, fs.readFileSync(path.join(fixtures, name), 'utf8'));

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function openSetFile(page: Page, name: string): Promise<void> {
  await page.goto(`${inject('baseUrl')}/#/sets`);
  await page.getByTestId('set-file-input').setInputFiles(fixture(name));
}

test('hostile set notes render as text: no styles, overlays, forms, trackers or script links', async () => {
  const { page, context } = await openApp(browser, '#/sets');
  const evilRequests: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('evil.example')) evilRequests.push(request.url());
  });
  try {
    await openSetFile(page, 'hostile-notes.cvset.json');
    await page.getByTestId('set-title').waitFor();
    const notes = page.locator('.set-notes');
    expect(await notes.innerText()).toContain('Read the brief first.');
    // <style> restyling the page: gone, and the page looks as before.
    expect(await notes.locator('style').count()).toBe(0);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(
      'rgb(255, 0, 0)',
    );
    expect(await page.locator('.page').isVisible()).toBe(true);
    // The full-page overlay: no style, class or id survives, so nothing is fixed over the page.
    expect(await notes.locator('[style], [class], [id]').count()).toBe(0);
    const fixed = await notes.evaluate(
      (root) =>
        [...root.querySelectorAll('*')].filter((e) => getComputedStyle(e).position === 'fixed').length,
    );
    expect(fixed).toBe(0);
    expect(await page.locator('#root').count()).toBe(1);
    // The phishing form, frames and embedded documents.
    expect(
      await notes.locator('form, input, button, textarea, select, iframe, object, embed, svg, math').count(),
    ).toBe(0);
    expect(await notes.innerText()).not.toContain('Password');
    // Tracking images on another host are gone (their alt text stays); the data: image stays.
    expect(await notes.locator('img[src*="evil"]').count()).toBe(0);
    expect(await notes.innerText()).toContain('tracker two');
    expect(await notes.locator('img[src^="data:image/png"]').count()).toBe(1);
    // Links: javascript: and //host lose their href; external ones open apart; in-app ones in place.
    expect(await notes.locator('a', { hasText: 'run this' }).getAttribute('href')).toBeNull();
    expect(await notes.locator('a', { hasText: 'protocol-relative' }).getAttribute('href')).toBeNull();
    const external = notes.locator('a', { hasText: 'TensorFlow tutorials' });
    expect(await external.getAttribute('target')).toBe('_blank');
    expect(await external.getAttribute('rel')).toBe('noopener noreferrer');
    const inApp = notes.locator('a', { hasText: 'the first exercise' });
    expect(await inApp.getAttribute('href')).toBe('#/exercise/fashion-mnist-dense');
    expect(await inApp.getAttribute('target')).toBeNull();
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await page.waitForLoadState('networkidle');
    expect(evilRequests).toEqual([]);
  } finally {
    await context.close();
  }
});

test('a set link reusing an id with targets lowered to 0 replaces nothing unless chosen', async () => {
  const { page, context } = await openApp(browser, '#/sets');
  try {
    await openSetFile(page, 'week-1.cvset.json');
    await page.getByTestId('set-title').waitFor();
    const targetsOf = async () => {
      await page.goto(`${inject('baseUrl')}/#/set/week-1`);
      return page.locator('[data-exercise-id="fashion-mnist-dense"]').innerText();
    };
    expect(await targetsOf()).toContain('test accuracy ≥ 0.8');

    const lowered = await parseSet(
      fs.readFileSync(path.join(fixtures, 'week-1-targets-zero.cvset.json'), 'utf8'),
    );
    const link = await encodeSetLink(lowered, `${inject('baseUrl')}/`);
    await page.goto(link);
    const conflict = page.getByTestId('set-conflict');
    await conflict.waitFor();
    const row = conflict.locator('[data-difference="Targets of fashion-mnist-dense"]');
    expect(await row.innerText()).toMatch(/test accuracy ≥ 0\.8\s+test accuracy ≥ 0$/);
    // Keeping both is what Enter does.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'set-conflict-keep-both',
    );

    // A reload asks again; the set held is untouched.
    await page.reload();
    await conflict.waitFor();
    expect(await targetsOf()).toContain('test accuracy ≥ 0.8');

    // Keeping both: the opened set comes as week-1-2, the held one is unchanged.
    await page.goto(link);
    await page.getByTestId('set-conflict-keep-both').click();
    await expect.poll(() => page.url()).toContain('#/set/week-1-2');
    expect(await page.locator('[data-exercise-id="fashion-mnist-dense"]').innerText()).toContain(
      'test accuracy ≥ 0',
    );
    await page.reload();
    expect(await targetsOf()).toContain('test accuracy ≥ 0.8');

    // Replacing is a deliberate choice, and does what it says.
    await page.goto(link);
    await page.getByTestId('set-conflict-replace').click();
    await expect.poll(() => page.url()).toMatch(/#\/set\/week-1$/);
    await page.reload();
    expect(await targetsOf()).not.toContain('≥ 0.8');
  } finally {
    await context.close();
  }
});

test('a half-valid backup, or one from a newer version, changes nothing and says why', async () => {
  const { page, context } = await openApp(browser, '#/sets');
  try {
    // Local work: a set, a draft and a result.
    await openSetFile(page, 'week-1.cvset.json');
    await page.getByTestId('set-title').waitFor();
    await pinBackend(page, 'wasm');
    await openExercise(page, 'fashion-mnist-dense');
    await replaceCode(page, quickDenseSolution);
    await page.getByTestId('run-button').click();
    await page.getByTestId('report').waitFor({ timeout: 240_000 });
    await expect.poll(() => page.getByTestId('save-state').innerText()).toBe('Draft saved');
    const verdict = await page.getByTestId('verdict').innerText();

    for (const [file, message] of [
      [
        'half-valid.backup.json',
        /cv-lab\/results, record 1: not a result with a valid report.*Nothing was imported/,
      ],
      [
        'newer-version.backup.json',
        /cv-lab-teams is at version 999, made by a newer CV Lab.*Nothing was imported/,
      ],
    ] as const) {
      await page.goto(`${inject('baseUrl')}/#/backup`);
      await page.getByTestId('backup-import').setInputFiles(fixture(file));
      await expect.poll(() => page.getByTestId('backup-error').innerText()).toMatch(message);
      expect(await page.getByTestId('backup-summary').count()).toBe(0);
    }

    // Everything as it was, after a reload: the draft, the result, the set; the planted draft is not there.
    await page.reload();
    await openExercise(page, 'fashion-mnist-dense');
    await expect.poll(() => visibleCode(page)).toContain('tf.layers.dense({ units: 32');
    expect(await visibleCode(page)).not.toContain('hostile backup');
    await page.getByTestId('verdict').waitFor();
    expect(await page.getByTestId('verdict').innerText()).toBe(verdict);
    await openExercise(page, 'shapes-cnn');
    expect(await visibleCode(page)).not.toContain('hostile backup');
    await page.goto(`${inject('baseUrl')}/#/sets`);
    await page.locator('[data-set-id="week-1"]').waitFor();
    expect(await page.getByTestId('set-list').innerText()).toContain('Week 1');
    await page.goto(`${inject('baseUrl')}/#/set/week-1`);
    expect(await page.locator('[data-exercise-id="fashion-mnist-dense"]').innerText()).toContain(
      'test accuracy ≥ 0.8',
    );
  } finally {
    await context.close();
  }
});

test('a backup whose second database cannot be written puts the first back', async () => {
  const { page, context } = await openApp(browser, '#/');
  try {
    // The sets store refuses writes while the flag is up, as a full quota would.
    await page.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (
        this: IDBObjectStore,
        ...args: Parameters<IDBObjectStore['put']>
      ) {
        if (this.name === 'sets' && (window as unknown as { __failSets?: boolean }).__failSets) {
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        }
        return put.apply(this, args);
      };
    });
    await page.reload();
    await openExercise(page, 'fashion-mnist-dense');
    await page.locator('.code-editor-host .monaco-editor').click();
    await page.keyboard.press('ControlOrMeta+Home');
    await page.keyboard.type('// my own draft 4242');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('save-state').innerText()).toBe('Draft saved');

    const later = '2099-01-01T00:00:00.000Z';
    const week1 = fs.readFileSync(path.join(fixtures, 'week-1.cvset.json'), 'utf8');
    const record = (value: unknown) => ({ key: null, value });
    const backup = {
      format: 'cv-lab-backup',
      version: 1,
      createdAt: later,
      databases: [
        {
          name: 'cv-lab',
          version: 2,
          stores: [
            {
              name: 'drafts',
              keyPath: 'exerciseId',
              autoIncrement: false,
              indexes: [],
              records: [
                record({ exerciseId: 'fashion-mnist-dense', code: '// from the backup', savedAt: later }),
                record({ exerciseId: 'shapes-cnn', code: '// from the backup', savedAt: later }),
              ],
            },
          ],
        },
        {
          name: 'cv-lab-teams',
          version: 1,
          stores: [
            {
              name: 'sets',
              keyPath: 'id',
              autoIncrement: false,
              indexes: [],
              records: [record({ id: 'week-1', text: week1, importedAt: later })],
            },
          ],
        },
      ],
    };
    await page.goto(`${inject('baseUrl')}/#/backup`);
    await page.evaluate(() => ((window as unknown as { __failSets?: boolean }).__failSets = true));
    await page
      .getByTestId('backup-import')
      .setInputFiles(jsonFile('valid.backup.json', JSON.stringify(backup)));
    await expect
      .poll(() => page.getByTestId('backup-error').innerText())
      .toMatch(/could not be written \(.*quota.*\)\. Nothing was imported: everything here is as it was\./);

    await page.reload();
    await openExercise(page, 'fashion-mnist-dense');
    await expect.poll(() => visibleCode(page)).toContain('my own draft 4242');
    expect(await visibleCode(page)).not.toContain('from the backup');
    await openExercise(page, 'shapes-cnn');
    expect(await visibleCode(page)).not.toContain('from the backup');
    await page.goto(`${inject('baseUrl')}/#/sets`);
    await expect.poll(() => page.getByTestId('set-list').innerText()).not.toContain('Week 1');
  } finally {
    await context.close();
  }
});
