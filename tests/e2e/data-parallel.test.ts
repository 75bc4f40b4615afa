/**
 * Every core in the page's sandbox (packages/runtime/src/data-parallel, docs/sandbox.md): the frame
 * is cross-origin isolated (its iframe's `allow="cross-origin-isolated"`, its origin still opaque),
 * so the sandbox starts gradient helpers, copies of its own worker, and each WASM training step of
 * an unseeded run is split between them (`labTrainingWorkers`: both cores of a 2-core machine).
 * The run's log says so and counts the split steps, the model learns, and tfjs's own thread pool
 * is not started besides. A seeded run trains on one worker; a model whose loss is a function of
 * the learner's own trains on one, and the log says why.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { labTrainingWorkers } from '@cv-lab/runtime';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A small CNN on the first 4,096 Fashion-MNIST images, two epochs; `loss` as compile takes it. */
function learnerCode(loss: string): string {
  return [
    "import type { Lab } from 'cv-lab';",
    'export default async function train(lab: Lab) {',
    '  const { tf } = lab;',
    "  const { train } = await lab.data.load('fashion-mnist');",
    '  const xs = train.xs.slice(0, 4096);',
    '  const ys = train.ys.slice(0, 4096);',
    '  const model = tf.sequential({',
    '    layers: [',
    "      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),",
    '      tf.layers.maxPooling2d({ poolSize: 2 }),',
    '      tf.layers.flatten(),',
    "      tf.layers.dense({ units: 10, activation: 'softmax' }),",
    '    ],',
    '  });',
    `  model.compile({ optimizer: tf.train.adam(0.003), loss: ${loss}, metrics: ['accuracy'] });`,
    '  const history = await model.fit(xs, ys, { epochs: 2, batchSize: 64, callbacks: lab.callbacks() });',
    '  const backend = tf.backend() as unknown as { wasm: { tfjs: { getThreadsCount(): number } } };',
    '  lab.log(`facts ${JSON.stringify({',
    '    isolated: (self as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated,',
    '    cores: navigator.hardwareConcurrency,',
    '    backend: tf.getBackend(),',
    '    threads: backend.wasm.tfjs.getThreadsCount(),',
    '    accuracy: history.history.acc.map(Number),',
    '  })} end`);',
    '  return model;',
    '}',
    '',
  ].join('\n');
}

interface Facts {
  isolated: boolean;
  cores: number;
  backend: string;
  threads: number;
  accuracy: number[];
}

async function runAndReadLog(page: Page): Promise<{ facts: Facts; log: string }> {
  await page.getByTestId('run-button').click();
  const log = page.getByTestId('log-panel');
  await log.getByText(/facts .* end/).waitFor({ timeout: 180_000 });
  await expect
    .poll(() => page.getByTestId('run-status').innerText(), { timeout: 120_000 })
    .not.toMatch(/Running/);
  const text = await log.innerText();
  return { facts: JSON.parse(/facts (.*) end/.exec(text)![1]) as Facts, log: text };
}

test('an unseeded run splits its training steps across the workers and learns', async () => {
  const { page, context, errors } = await openApp(browser);
  try {
    await pinBackend(page, 'wasm');
    await openExercise(page, 'fashion-mnist-cnn');
    await replaceCode(page, learnerCode("'categoricalCrossentropy'"));
    const { facts, log } = await runAndReadLog(page);
    const workers = labTrainingWorkers(facts.cores, true);
    expect(facts.isolated).toBe(true);
    expect(facts.backend).toBe('wasm');
    // The workers replace tfjs's thread pool: each trains on the single-threaded build.
    expect(facts.threads).toBe(1);
    // 128 steps of 64 images in two epochs; the model learns (chance is 0.1).
    expect(facts.accuracy[1]).toBeGreaterThan(0.7);
    expect(facts.accuracy[1]).toBeGreaterThan(facts.accuracy[0]);
    if (workers > 1) {
      expect(log).toContain(`Training steps are split across ${workers} WASM workers`);
      const [, split, total] = /(\d+) of (\d+) training steps were split/.exec(log)!;
      expect(Number(total)).toBe(128);
      // The helpers start while the data loads: every step, or all but the first few, is split.
      expect(Number(split)).toBeGreaterThanOrEqual(120);
      // Settings says how the lab trains on this device.
      await page.goto(page.url().replace(/#.*$/, '#/settings'));
      await expect
        .poll(() => page.locator('body').innerText())
        .toContain(
          `Cross-origin isolated: yes (WASM trains on ${workers} workers, each step split between them`,
        );
    }
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('a loss of the learner’s own trains on one worker, and the log says why', async () => {
  const { page, context } = await openApp(browser);
  try {
    await pinBackend(page, 'wasm');
    await openExercise(page, 'fashion-mnist-cnn');
    await replaceCode(
      page,
      learnerCode(
        '(yTrue: import("@tensorflow/tfjs").Tensor, yPred: import("@tensorflow/tfjs").Tensor) => tf.losses.softmaxCrossEntropy(yTrue, tf.log(yPred))',
      ),
    );
    const { facts, log } = await runAndReadLog(page);
    if (labTrainingWorkers(facts.cores, true) > 1) {
      expect(log).toContain('Training on one thread: its loss is a function of its own');
      expect(log).toMatch(/0 of 128 training steps were split/);
    }
  } finally {
    await context.close();
  }
});
