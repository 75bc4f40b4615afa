/**
 * The browser half of `cv-lab bench --browser`: serves the built app (`dist/`, which has
 * `bench.html`), opens it in Chromium through playwright-core, and returns the page's results.
 * Without a GPU, WebGPU runs on a software adapter and WebGL on SwiftShader: correct, and slow.
 */
import fs from 'node:fs';
import path from 'node:path';
import { preview } from 'vite';
import type { BenchModelName } from '../core/bench/bench';
import type { BrowserBenchState } from '../core/bench/browser-bench';
import { repoRoot } from './catalog';
import { CliError } from './cli-error';
import { chromiumPath, launchChromium } from './chromium';

export interface BrowserBenchOptions {
  models: BenchModelName[];
  backends: string[];
  steps: number;
  warmupSteps: number;
  log: (line: string) => void;
}

export async function runBrowserBench(options: BrowserBenchOptions): Promise<BrowserBenchState> {
  if (!fs.existsSync(path.join(repoRoot, 'dist/bench.html'))) {
    throw new CliError('the browser bench needs the built app: run `npm run build` first');
  }
  const executablePath = chromiumPath();
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
  // Without a GPU, WebGPU runs on a software adapter, but only with this flag.
  const browser = await launchChromium(['--enable-unsafe-webgpu']);
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
