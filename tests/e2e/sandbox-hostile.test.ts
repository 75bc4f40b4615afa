/**
 * The page's sandbox, attacked as a learner would from the editor and as a submitter would through
 * the lead's roster (issue: learner code in a sandbox). Learner code runs in a worker of an opaque
 * origin with a policy that lets it fetch nothing: it cannot read the test split, the app's
 * IndexedDB or Cache Storage, reach the service worker or the page, and what it does to its own
 * globals changes no grade. Each attack that works throws "ESCAPED …", which would show in the log.
 */
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode } from './browser';

const base = inject('baseUrl');

// Kept short: the editor check reads the visible lines only.
const attacks = `import type { Lab } from 'cv-lab';
export default async function train(lab: Lab) {
  const { tf } = lab; const g: any = globalThis; const base = '${base}'; const escaped: string[] = [];
  const tries: [string, () => any][] = [
    ['fetch', async () => (await fetch(base + '/datasets/fashion-mnist/manifest.json')).status],
    ['xhr', () => { const x = new XMLHttpRequest(); x.open('GET', base + '/index.html', false); x.send(); return x.status; }],
    ['importScripts', () => g.importScripts(base + '/sw.js')],
    ['indexedDB', () => new Promise((ok, no) => { const r = indexedDB.open('cv-lab'); r.onsuccess = () => ok(r.result.name); r.onerror = () => no(r.error); })],
    ['caches', async () => (await caches.keys()).join(',')],
    ['worker', () => new Promise((ok, no) => { const w = new Worker(base + '/sandbox-worker.js'); w.onerror = no; setTimeout(() => ok('started'), 1500); })],
  ];
  for (const [name, attempt] of tries) {
    const v = await Promise.race([Promise.resolve().then(attempt).catch(() => undefined), new Promise((ok) => setTimeout(ok, 3000))]);
    if (v !== undefined && v !== 0) escaped.push(name + ': ' + String(v).slice(0, 40)); else lab.log(name + ' refused');
  }
  g.postMessage?.({ type: 'report', report: { passed: true, score: 100 } });
  if (escaped.length) throw new Error('ESCAPED ' + escaped.join('; '));
  const { train } = await lab.data.load('fashion-mnist', { limit: 64 });
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' })] });
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(train.xs, train.ys, { epochs: 1 });
  return model;
}
`;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('learner code in the page reaches no data, storage or network, and is graded as any other', async () => {
  const { page, context } = await openApp(browser);
  try {
    await pinBackend(page, 'wasm');
    await openExercise(page, 'fashion-mnist-dense');
    // The app's own storage, as it was before the run.
    const storage = () =>
      page.evaluate(async () => {
        const shell = (await caches.keys()).filter((name) => name.startsWith('cv-lab-shell'));
        const index = shell.length ? await (await caches.open(shell[0])).match('/index.html') : undefined;
        return {
          shell,
          index: index ? await index.text() : null,
          databases: ((await indexedDB.databases()).map((d) => d.name) as string[]).sort(),
        };
      });
    // Once the service worker has cached the shell.
    await expect.poll(async () => (await storage()).index, { timeout: 60_000 }).not.toBeNull();
    const before = await storage();
    await replaceCode(page, attacks);
    await page.getByTestId('run-button').click();
    await page.getByTestId('report').waitFor({ timeout: 240_000 });
    const log = await page.getByTestId('log-panel').innerText();
    expect(log).not.toMatch(/ESCAPED/);
    expect(await page.getByTestId('verdict').innerText()).toMatch(/Not passed yet/);
    expect(await page.getByTestId('metrics').innerText()).toMatch(/Test images\s+10000/);
    const after = await storage();
    // The app's shell is as it was (the run may add the dataset to the app's own dataset cache).
    expect(after.shell).toEqual(before.shell);
    expect(after.index).toBe(before.index);
    // The run keeps its model in the app's database: nothing else appeared.
    expect(after.databases.filter((d) => !before.databases.includes(d))).toEqual(
      after.databases.filter((d) => d.startsWith('tensorflowjs')),
    );
    // The sandbox frame is gone once the run ends.
    expect(await page.locator('iframe[sandbox]').count()).toBe(0);
  } finally {
    await context.close();
  }
});

test('the sandbox frame is opaque (no allow-same-origin) and carries its own policy', async () => {
  const { page, context } = await openApp(browser);
  try {
    await openExercise(page, 'metrics-iou');
    await page.getByTestId('run-button').click();
    const frame = page.locator('iframe[title="CV Lab sandbox"]');
    await frame.waitFor({ state: 'attached', timeout: 60_000 });
    expect(await frame.getAttribute('sandbox')).toBe('allow-scripts');
    const document = (await frame.getAttribute('srcdoc')) ?? '';
    expect(document).toContain("default-src 'none'");
    expect(document).toContain('connect-src blob:');
    await page.getByTestId('report').waitFor({ timeout: 60_000 });
  } finally {
    await context.close();
  }
});
