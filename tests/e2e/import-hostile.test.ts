/**
 * Hostile archives through the page's image import, in Chromium (issue: files from other people):
 * a zip holding a 1 GB entry, a zip whose entry inflates past what its header declares, a PNG whose
 * header claims 100000×100000 pixels and an entry that climbs out of the archive. Each is refused or
 * left out with a message naming it, the rest of the archive still imports, and the browser's
 * memory stays far from the gigabyte a bomb would take (measured from /proc over all of Chromium's
 * processes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { storedEntry, zerosEntry, zipArchive, type ZipEntrySpec } from '../fixtures/hostile/make-hostile';
import { launchChromium, openApp } from './browser';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-lab-import-hostile-'));

/** Resident memory of every Chromium process, in bytes (Linux). */
function chromiumResidentBytes(): number {
  let total = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/chrom/i.test(cmdline.split('\0')[0] ?? '')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) total += Number(rss[1]) * 1024;
    } catch {
      // the process ended
    }
  }
  return total;
}

function photo(level: number): Uint8Array {
  const data = Buffer.alloc(16 * 16 * 4, level);
  return jpeg.encode({ data, width: 16, height: 16 }, 90).data;
}

/** A PNG signature and IHDR that claim 100000×100000 pixels, and nothing else. */
function pixelBombHeader(): Uint8Array {
  const bytes = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
  bytes.writeUInt32BE(13, 8);
  bytes.write('IHDR', 12, 'ascii');
  bytes.writeUInt32BE(100_000, 16);
  bytes.writeUInt32BE(100_000, 20);
  bytes[24] = 8;
  bytes[25] = 6;
  return bytes;
}

function writeZip(name: string, entries: ZipEntrySpec[]): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, zipArchive(entries));
  return file;
}

const honest = [0, 1, 2].flatMap((n) => [
  storedEntry(`photos/light/${n}.jpg`, photo(220)),
  storedEntry(`photos/dark/${n}.jpg`, photo(30)),
]);

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('bombs, lying headers, pixel bombs and escaping paths are refused by name, in bounded memory', async () => {
  const bomb = writeZip('bomb.zip', [
    ...honest,
    zerosEntry('photos/light/huge.png', 1024),
    storedEntry('photos/dark/pixels.png', pixelBombHeader()),
    storedEntry('../escape.jpg', photo(128)),
  ]);
  const lying = writeZip('lying.zip', [...honest, zerosEntry('photos/light/liar.png', 200, 1000)]);
  const { page, context } = await openApp(browser, '#/datasets');
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, chromiumResidentBytes())), 100);
  try {
    const baseline = chromiumResidentBytes();
    await page.getByTestId('zip-input').setInputFiles(bomb);
    await page.getByTestId('import-height').fill('16');
    await page.getByTestId('import-width').fill('16');
    await page.getByTestId('import-test-fraction').fill('0.34');
    await page.getByTestId('import-prepare').click();
    await page.getByTestId('import-preview').waitFor({ timeout: 60_000 });
    const warnings = (await page.getByTestId('import-warning').allInnerTexts()).join('\n');
    expect(warnings).toMatch(
      /photos\/light\/huge\.png was left out: it inflates to 1,024 MB, over the 256 MB/,
    );
    expect(warnings).toMatch(/\.\.\/escape\.jpg was left out: its path leaves the archive's folder/);
    expect(warnings).toMatch(/could not be decoded and was skipped: photos\/dark\/pixels\.png/);
    const rows = await page.locator('[data-testid="import-counts"] tbody tr').allInnerTexts();
    expect(rows.map((row) => row.split('\t')[0].trim())).toEqual(['dark', 'light']);

    await page.getByTestId('zip-input').setInputFiles(lying);
    await page.getByTestId('import-prepare').click();
    await expect
      .poll(() => page.getByTestId('import-error').innerText(), { timeout: 60_000 })
      .toMatch(/The zip cannot be read .* an entry holds more than its header declares/);
    clearInterval(sampler);
    expect(peak - baseline).toBeLessThan(2 ** 30);
  } finally {
    clearInterval(sampler);
    await context.close();
  }
});
