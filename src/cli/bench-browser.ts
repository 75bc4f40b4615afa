/**
 * The browser half of `cv-lab bench --browser`: serves the built app (`dist/`, which has
 * `bench.html`), opens it in Chromium through playwright-core, and returns the page's results.
 * WebGPU in headless Chromium needs `--enable-unsafe-webgpu`; without a GPU it runs on a
 * software adapter, as WebGL does on SwiftShader — correct, and slow.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import type { BenchModelName } from '../core/runtime/bench';
import type { BrowserBenchState } from '../app/bench/bench-page';
import { repoRoot } from './catalog';
import { CliError } from './cli-error';

export interface BrowserBenchOptions {
  models: BenchModelName[];
  backends: string[];
  steps: number;
  warmupSteps: number;
  /** Chromium to drive; `CHROMIUM_PATH` or Debian's `/usr/bin/chromium` by default. */
  executablePath?: string;
  log: (line: string) => void;
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
];

export async function runBrowserBench(options: BrowserBenchOptions): Promise<BrowserBenchState> {
  if (!fs.existsSync(path.join(repoRoot, 'dist/bench.html'))) {
    throw new CliError('the browser bench needs the built app: run `npm run build` first');
  }
  const executablePath = options.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new CliError(
      `no Chromium at ${executablePath}: install it (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  const server = await preview({
    root: repoRoot,
    configFile: path.join(repoRoot, 'vite.config.ts'),
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, open: false },
  });
  const address = server.httpServer.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const query = new URLSearchParams({
      models: options.models.join(','),
      backends: options.backends.join(','),
      steps: String(options.steps),
      warmup: String(options.warmupSteps),
    });
    await page.goto(`http://127.0.0.1:${port}/bench.html?${query}`);
    options.log(`Chromium ${browser.version()}: running ${options.backends.join(', ')} in the page…`);
    await page.waitForFunction(() => window.cvLabBench?.done === true, undefined, {
      timeout: 60 * 60 * 1000,
      polling: 1000,
    });
    return await page.evaluate(() => window.cvLabBench);
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}
