import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  pagePolicy,
  policyFor,
  publishedModelOrigins,
} from '../../../src/app/security/content-security-policy';
import {
  FRAME_SCRIPT,
  frameScriptHash,
  sandboxFrameDocument,
  sandboxFramePolicy,
} from '../../../src/app/security/sandbox-frame-document';
import { withInlineScripts } from '../../../scripts/vite-plugin-csp';

describe('the Content-Security-Policy', () => {
  test('index.html carries the page policy, word for word', () => {
    const html = fs.readFileSync('index.html', 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html);
    expect(meta?.[1]).toBe(pagePolicy);
  });

  test('no remote script, one inline script (the sandbox frame one, by hash), connections only to the published model hosts', () => {
    expect(pagePolicy.split('; ').filter((d) => d.startsWith('script-src'))).toEqual([
      `script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval' ${frameScriptHash}`,
    ]);
    expect(frameScriptHash).toBe(`'sha256-${createHash('sha256').update(FRAME_SCRIPT).digest('base64')}'`);
    expect(publishedModelOrigins).toEqual(['https://storage.googleapis.com']);
    expect(pagePolicy).toContain("connect-src 'self' https://storage.googleapis.com blob:;");
    expect(pagePolicy).toContain("frame-src 'self'");
    expect(pagePolicy).toContain("worker-src 'self' blob:");
    expect(pagePolicy).toContain("object-src 'none'");
  });

  test('the sandbox frame narrows it: no network but its own blob: URLs, its one script', () => {
    expect(sandboxFramePolicy).toContain("default-src 'none'");
    expect(sandboxFramePolicy).toContain('connect-src blob:');
    expect(sandboxFramePolicy).not.toMatch(/'self'|https:/);
    expect(sandboxFramePolicy).toContain(`script-src ${frameScriptHash} blob:`);
    const document = sandboxFrameDocument();
    expect(document).toContain(`content="${sandboxFramePolicy}"`);
    expect(document).toContain(`<script>${FRAME_SCRIPT}</script>`);
  });

  test('workers get the page policy', () => {
    expect(policyFor('/assets/lab-worker-Bx12.js', 'worker')).toBe(pagePolicy);
    expect(policyFor('/assets/ts.worker-Ab3.js', 'worker')).toBe(pagePolicy);
  });

  test('the page gets it; the sandbox frame, the benchmark and plain files do not', () => {
    expect(policyFor('/', 'document')).toBe(pagePolicy);
    expect(policyFor('/index.html', undefined)).toBe(pagePolicy);
    expect(policyFor('/bench.html', 'document')).toBeUndefined();
    expect(policyFor('/assets/index-1.js', 'script')).toBeUndefined();
  });

  test("the dev server's inline scripts join script-src by hash", () => {
    expect(withInlineScripts(pagePolicy, ['console.log(1)'])).toContain(
      `script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval' ${frameScriptHash} 'sha256-`,
    );
    expect(withInlineScripts(pagePolicy, [])).toBe(pagePolicy);
  });
});
