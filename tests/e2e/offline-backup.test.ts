/**
 * Backup between two browser profiles: a draft written in one context is exported to one file,
 * imported into a fresh context (empty storage), and is back in the editor; a second import
 * counts it as kept; a malformed file is refused with a clear message.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { launchChromium, openApp, openExercise, replaceCode, visibleCode } from './browser';

const draft = `import type { Lab } from 'cv-lab';
// backed-up draft 4711
export default async function train(lab: Lab) {
return lab.tf.sequential();
}
`;

let browser: Browser;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-lab-backup-'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a backup carries drafts to a fresh browser profile and refuses a malformed file', async () => {
  const first = await openApp(browser);
  let backupPath: string;
  try {
    await openExercise(first.page, 'fashion-mnist-dense');
    await replaceCode(first.page, draft);
    await expect.poll(() => first.page.getByTestId('save-state').innerText()).toBe('Draft saved');
    await first.page.goto(`${inject('baseUrl')}/#/backup`);
    const download = first.page.waitForEvent('download');
    await first.page.getByTestId('backup-export').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^cv-lab-backup-\d{4}-\d\d-\d\d\.json$/);
    backupPath = path.join(dir, file.suggestedFilename());
    await file.saveAs(backupPath);
    expect(await first.page.getByTestId('backup-exported').innerText()).toMatch(
      /Saved cv-lab-backup-.*: \d+ records/,
    );
  } finally {
    await first.context.close();
  }
  const backup = JSON.parse(fs.readFileSync(backupPath, 'utf8'));
  expect(backup.format).toBe('cv-lab-backup');

  const second = await openApp(browser, '#/backup');
  try {
    const { page } = second;
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, JSON.stringify({ format: 'cv-lab-backup', version: 1, databases: 'oops' }));
    await page.getByTestId('backup-import').setInputFiles(broken);
    await expect
      .poll(() => page.getByTestId('backup-error').innerText())
      .toMatch(/This backup is damaged or from an unknown version: .*Nothing was imported/);

    await page.getByTestId('backup-import').setInputFiles(backupPath);
    const drafts = page.locator('[data-store="cv-lab/drafts"]');
    await expect.poll(() => drafts.innerText()).toMatch(/Drafts\s+1\s+0\s+0/);
    await page.getByTestId('backup-import').setInputFiles(backupPath);
    await expect.poll(() => drafts.innerText()).toMatch(/Drafts\s+0\s+0\s+1/);

    await openExercise(page, 'fashion-mnist-dense');
    await expect.poll(() => visibleCode(page)).toContain('backed-up draft 4711');
  } finally {
    await second.context.close();
  }
});
