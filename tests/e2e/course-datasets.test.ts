/**
 * The course's exercises in the page, on a server that has not prepared their datasets: the catalog
 * card says what the dataset downloads and that the targets are the course's graders', not measured
 * here; the exercise page names the command and the size, and a run ends in an error that says the
 * same (no crash). Then the published ImageNet MobileNet v2 (a graph model) is loaded in a run and
 * graded: its server is played by Playwright (`context.route`) with a miniature graph model of the
 * same interface (the test machine has no internet), and the lab worker rebuilds the trained model
 * around the registered base to grade it.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { findPretrained, IMAGENET_MOBILENET_V2_ID } from '../../src/core/models/registry';
import { featureVectorGraphFiles } from '../fixtures/models/feature-vector-graph';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode } from './browser';

const graphBaseRun = `import type { Lab } from 'cv-lab';
export default async function train(lab: Lab) {
const { tf } = lab;
const { train } = await lab.data.load('novel-symbols', { limit: 64 });
const base = await lab.models.load('${IMAGENET_MOBILENET_V2_ID}');
const input = tf.input({ shape: [48, 48, 3] });
const features = base.apply(input) as never;
const output = tf.layers.dense({ units: 5, activation: 'softmax' }).apply(features) as never;
const model = tf.model({ inputs: input, outputs: output });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 32, callbacks: lab.callbacks() });
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

test('a course exercise without its dataset says what to download; the published v2 base loads and grades', async () => {
  const entry = findPretrained(IMAGENET_MOBILENET_V2_ID)!;
  if (entry.source.kind !== 'url') throw new Error(`${IMAGENET_MOBILENET_V2_ID} is no longer published`);
  const folder = new URL('.', entry.source.url).href;
  const { files } = featureVectorGraphFiles(4);
  const requested: string[] = [];
  const { page, context, errors } = await openApp(browser);
  await context.route(`${folder}**`, async (route) => {
    const file = new URL(route.request().url()).pathname.split('/').pop() ?? '';
    requested.push(file);
    const body = files.get(file);
    await route.fulfill({
      status: body ? 200 : 404,
      body: body ? Buffer.from(body) : 'not found',
      headers: {
        'Content-Type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        'Access-Control-Allow-Origin': '*',
        'Cross-Origin-Resource-Policy': 'cross-origin',
      },
    });
  });
  try {
    await pinBackend(page, 'wasm');
    await page.goto(page.url().replace(/#.*$/, '#/'));
    const card = page.locator('[data-exercise-id="course-horses-or-humans"]');
    await card.waitFor({ timeout: 60_000 });
    expect(await card.innerText()).toContain('horses-or-humans (downloads 161 MB once)');
    expect(await card.innerText()).toContain('Targets from the course’s graders, not measured here');

    await openExercise(page, 'course-horses-or-humans');
    const absent = page.getByTestId('dataset-absent');
    await absent.waitFor({ timeout: 30_000 });
    expect(await absent.innerText()).toBe(
      'horses-or-humans is not on this server yet: it downloads 161 MB once. Where the app is served, run ' +
        "npx cv-lab datasets prepare horses-or-humans (it shows the download's progress and checks its SHA-256), then reload.",
    );
    expect(await page.getByTestId('target-source').innerText()).toContain(
      'Where the targets come from: the course’s graders, not measured here',
    );
    // Running the starter without the data: the run ends with the same instruction.
    await page.getByTestId('run-button').click();
    await page.getByTestId('run-error').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('run-error').innerText()).toContain(
      "dataset 'horses-or-humans' is not prepared: run `npx cv-lab datasets prepare horses-or-humans` (downloads 161 MB once)",
    );

    // The published MobileNet v2 feature vector as a frozen base, on a dataset this server has
    // (transfer-feature-extraction's novel-symbols: 48×48 RGB, 1,000 test images).
    await openExercise(page, 'transfer-feature-extraction');
    await replaceCode(page, graphBaseRun);
    await page.getByTestId('run-button').click();
    await page
      .locator('[data-testid="report"], [data-testid="run-error"]')
      .first()
      .waitFor({ timeout: 240_000 });
    if (await page.getByTestId('run-error').isVisible()) {
      throw new Error(`the run failed: ${await page.getByTestId('run-error').innerText()}`);
    }
    expect(await page.getByTestId('log-panel').innerText()).toContain(
      `Loaded pretrained ${IMAGENET_MOBILENET_V2_ID}`,
    );
    expect(await page.getByTestId('metrics').innerText()).toMatch(/Test images\s+1000/);
    expect(requested).toContain('model.json');
    expect(requested).toContain('group1-shard1of1.bin');
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});
