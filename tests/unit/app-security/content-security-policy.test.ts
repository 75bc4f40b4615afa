import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  labWorkerPolicy,
  pagePolicy,
  policyFor,
  publishedModelOrigins,
} from '../../../src/app/security/content-security-policy';
import { withInlineScripts } from '../../../scripts/vite-plugin-csp';

describe('the Content-Security-Policy', () => {
  test('index.html carries the page policy, word for word', () => {
    const html = fs.readFileSync('index.html', 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html);
    expect(meta?.[1]).toBe(pagePolicy);
  });

  test('no inline or remote script and no eval on the page; connections only to the published model hosts', () => {
    expect(pagePolicy).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(pagePolicy.split('; ').filter((d) => d.startsWith('script-src'))).toEqual([
      "script-src 'self' 'wasm-unsafe-eval'",
    ]);
    expect(publishedModelOrigins).toEqual(['https://storage.googleapis.com']);
    expect(pagePolicy).toContain("connect-src 'self' https://storage.googleapis.com;");
    expect(pagePolicy).toContain("frame-src 'self'");
    expect(pagePolicy).toContain("worker-src 'self' blob:");
  });

  test('only the lab worker (learner code, until the sandbox frame) may eval', () => {
    expect(labWorkerPolicy).toContain("script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval';");
    expect(policyFor('/assets/lab-worker-Bx12.js', 'worker')).toBe(labWorkerPolicy);
    expect(policyFor('/src/worker/lab-worker.ts', 'worker')).toBe(labWorkerPolicy);
    expect(policyFor('/assets/ts.worker-Ab3.js', 'worker')).toBe(pagePolicy);
  });

  test('the page gets it; the sandbox frame, the benchmark and plain files do not', () => {
    expect(policyFor('/', 'document')).toBe(pagePolicy);
    expect(policyFor('/index.html', undefined)).toBe(pagePolicy);
    expect(policyFor('/sandbox.html', 'iframe')).toBeUndefined();
    expect(policyFor('/bench.html', 'document')).toBeUndefined();
    expect(policyFor('/assets/index-1.js', 'script')).toBeUndefined();
  });

  test("the dev server's inline scripts join script-src by hash", () => {
    expect(withInlineScripts(pagePolicy, ['console.log(1)'])).toContain(
      "script-src 'self' 'wasm-unsafe-eval' 'sha256-",
    );
    expect(withInlineScripts(pagePolicy, [])).toBe(pagePolicy);
  });
});
