import { describe, expect, test } from 'vitest';
import { imageAllowed, linkVerdict } from '../../../src/app/security/url-policy';

const origin = 'http://127.0.0.1:5173';

describe('links in text from other people', () => {
  test.each([
    ['https://www.tensorflow.org/tutorials', 'external'],
    ['http://example.com/a', 'external'],
    ['mailto:lead@example.com', 'external'],
    ['#/exercise/fashion-mnist-dense', 'in-app'],
    ['datasets', 'in-app'],
    ['/#/sets', 'in-app'],
    [`${origin}/#/settings`, 'in-app'],
    ['javascript:alert(1)', 'blocked'],
    ['JaVaScRiPt:alert(1)', 'blocked'],
    ['java\tscript:alert(1)', 'blocked'],
    [' javascript:alert(1)', 'blocked'],
    ['data:text/html,<script>alert(1)</script>', 'blocked'],
    ['vbscript:msgbox', 'blocked'],
    ['//evil.example/phish', 'blocked'],
    ['\\\\evil.example/phish', 'blocked'],
    ['/\\evil.example/phish', 'blocked'],
    ['file:///etc/passwd', 'blocked'],
    ['', 'blocked'],
  ] as const)('%s is %s', (href, verdict) => {
    expect(linkVerdict(href, origin)).toBe(verdict);
  });
});

describe('images in text from other people', () => {
  test.each([
    ['/icons/icon-192.png', true],
    [`${origin}/icons/icon-192.png`, true],
    ['data:image/png;base64,iVBORw0KGgo=', true],
    ['https://evil.example/pixel.gif?reader=1', false],
    ['//evil.example/pixel.gif', false],
    ['data:image/svg+xml;base64,PHN2Zz4=', false],
    ['data:text/html;base64,PHNjcmlwdD4=', false],
    ['javascript:alert(1)', false],
    ['', false],
  ] as const)('%s: %s', (src, allowed) => {
    expect(imageAllowed(src, origin)).toBe(allowed);
  });
});
