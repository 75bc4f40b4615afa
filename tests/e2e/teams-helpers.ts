/**
 * Helpers for the team-lead browser tests: downloads captured as text, files handed to file
 * inputs, screenshots of each page for review.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';

/** Clicks `button` and returns the file it downloads: its suggested name and its text. */
export async function captureDownload(page: Page, button: Locator): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), text: fs.readFileSync(file, 'utf8') };
}

export function jsonFile(name: string, text: string) {
  return { name, mimeType: 'application/json', buffer: Buffer.from(text, 'utf8') };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.E2E_SCREENSHOTS ?? path.join(os.tmpdir(), 'cv-lab-e2e');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** A dense network on 2,000 images for two epochs: trains in seconds on WASM, above 0.5 accuracy. */
export const quickDenseSolution = `import type { Lab } from 'cv-lab';
export default async function train(lab: Lab) {
const { tf } = lab;
const { train } = await lab.data.load('fashion-mnist', { limit: 2000 });
const model = tf.sequential({ layers: [
tf.layers.flatten({ inputShape: [28, 28, 1] }),
tf.layers.dense({ units: 32, activation: 'relu' }),
tf.layers.dense({ units: 10, activation: 'softmax' }),
] });
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(train.xs, train.ys, { epochs: 2, batchSize: 32, callbacks: lab.callbacks() });
return model;
}
`;
