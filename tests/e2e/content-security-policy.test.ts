/**
 * The Content-Security-Policy is in force (an injected inline script does not run, and the browser
 * reports it), and the app runs under it: every page, the editor and a run to its report, with no
 * violation.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { launchChromium, openApp, openExercise, pinBackend, replaceCode } from './browser';
import { quickDenseSolution } from './teams-helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Every violation the page, its frames and its workers report, as `directive: blocked URI`. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction('__reportViolation', (line: string) => violations.push(line));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __reportViolation(line: string): void }).__reportViolation;
      report(
        `${event.effectiveDirective}: ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  // Workers' violations reach only the console.
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`console: ${message.text()}`);
  });
  return violations;
}

test('the policy comes with the page and blocks an injected inline script', async () => {
  const { page, context } = await openApp(browser, '#/sets');
  try {
    const violations = await watchViolations(page);
    const response = await page.reload();
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
    await page.getByRole('heading', { name: 'Exercise sets' }).waitFor();
    const ran = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.head.append(script);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
    await expect.poll(() => violations.join('\n')).toMatch(/script-src-elem: inline/);
  } finally {
    await context.close();
  }
});

test('every page, the editor and a run to its report load with no violation', async () => {
  const { page, context, errors } = await openApp(browser, '#/');
  try {
    const violations = await watchViolations(page);
    for (const hash of ['#/', '#/datasets', '#/sets', '#/roster', '#/settings', '#/backup', '#/sets/new']) {
      await page.goto(`${inject('baseUrl')}/${hash}`);
      await page.locator('h1').first().waitFor();
      await page.waitForLoadState('networkidle');
    }
    await pinBackend(page, 'wasm');
    await openExercise(page, 'fashion-mnist-dense');
    await replaceCode(page, quickDenseSolution);
    await page.getByTestId('run-button').click();
    await page.getByTestId('report').waitFor({ timeout: 240_000 });
    expect(await page.getByTestId('verdict').innerText()).toMatch(/Passed|Not passed yet/);
    expect(violations).toEqual([]);
    expect(errors.filter((e) => /Content Security Policy|EvalError/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});
