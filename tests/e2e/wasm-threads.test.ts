/**
 * WASM threads in the page's sandbox (packages/runtime/src/backend-wasm-threads.ts, docs/sandbox.md): the
 * sandbox frame is cross-origin isolated (its iframe's `allow="cross-origin-isolated"`, its origin
 * still opaque), so learner code trains on tfjs's threaded build with the threads the lab asks for
 * on this machine's cores (`labWasmThreads`: one on a 2-core machine, where it is tfjs's
 * single-threaded build), and a matmul gives the right values.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { labWasmThreads } from '@cv-lab/runtime';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('learner code runs isolated, on the threads the lab asks for, with correct results', async () => {
  const { page, context } = await openApp(browser);
  try {
    await pinBackend(page, 'wasm');
    await openExercise(page, 'fashion-mnist-cnn');
    await replaceCode(
      page,
      [
        "import type { Lab } from 'cv-lab';",
        'export default async function train(lab: Lab) {',
        '  const { tf } = lab;',
        '  const backend = tf.backend() as unknown as { wasm: { tfjs: { getThreadsCount(): number } } };',
        '  const product = await tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).data();',
        '  lab.log(`facts ${JSON.stringify({',
        '    isolated: (self as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated,',
        '    cores: navigator.hardwareConcurrency,',
        '    backend: tf.getBackend(),',
        '    threads: backend.wasm.tfjs.getThreadsCount(),',
        '    product: [product[0], product[4095]],',
        '  })} end`);',
        '}',
        '',
      ].join('\n'),
    );
    await page.getByTestId('run-button').click();
    const log = page.getByTestId('log-panel');
    await log.getByText(/facts .* end/).waitFor({ timeout: 120_000 });
    const facts = JSON.parse(/facts (.*) end/.exec(await log.innerText())![1]) as {
      isolated: boolean;
      cores: number;
      backend: string;
      threads: number;
      product: number[];
    };
    expect(facts.isolated).toBe(true);
    expect(facts.backend).toBe('wasm');
    expect(facts.threads).toBe(labWasmThreads(facts.cores));
    expect(facts.product).toEqual([64, 64]);
  } finally {
    await context.close();
  }
});
