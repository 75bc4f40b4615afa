/**
 * Vite plugin: the app's Content-Security-Policy (`src/app/security/content-security-policy.ts`)
 * as a header from the dev and preview servers, on the responses `policyFor` names (the app's page
 * and its workers: the lab worker's with the eval learner code needs). Other documents, such as
 * the sandbox frame, keep their own policy.
 *
 * The dev server's page holds inline scripts of Vite's own (React refresh's preamble): in dev only,
 * their SHA-256 hashes join `script-src`, in the header and in the meta tag alike.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Connect, Plugin, ViteDevServer } from 'vite';
import { pagePolicy, policyFor } from '../src/app/security/content-security-policy.ts';

const INLINE_SCRIPT = /<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g;
const META_POLICY = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")/;

/** `policy` with `script-src` also allowing these inline scripts, by hash. */
export function withInlineScripts(policy: string, scripts: readonly string[]): string {
  if (scripts.length === 0) return policy;
  const hashes = scripts.map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`);
  return policy.replace(
    /(^|; )script-src ([^;]*)/,
    (_, start: string, sources: string) => `${start}script-src ${sources} ${hashes.join(' ')}`,
  );
}

function inlineScripts(html: string): string[] {
  return [...html.matchAll(INLINE_SCRIPT)].map((m) => m[1]).filter((text) => text.trim() !== '');
}

type Next = Connect.NextFunction;

function policyHeader(policyOf: (req: IncomingMessage) => Promise<string | undefined>) {
  return (req: IncomingMessage, res: ServerResponse, next: Next) => {
    policyOf(req).then((policy) => {
      if (policy) res.setHeader('Content-Security-Policy', policy);
      next();
    }, next);
  };
}

function requestPolicy(req: IncomingMessage): string | undefined {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  const destination = req.headers['sec-fetch-dest'];
  return policyFor(pathname, typeof destination === 'string' ? destination : undefined);
}

export function cspPlugin({ root }: { root: string }): Plugin {
  /** The dev page's inline scripts, learnt by transforming index.html once. */
  let devScripts: Promise<string[]> | null = null;
  const learnDevScripts = (server: ViteDevServer) =>
    (devScripts ??= server
      .transformIndexHtml('/', fs.readFileSync(path.join(root, 'index.html'), 'utf8'))
      .then(inlineScripts));
  return {
    name: 'cv-lab-csp',
    configureServer(server) {
      server.middlewares.use(
        policyHeader(async (req) => {
          const policy = requestPolicy(req);
          return policy === pagePolicy ? withInlineScripts(policy, await learnDevScripts(server)) : policy;
        }),
      );
    },
    configurePreviewServer(server) {
      server.middlewares.use(policyHeader(async (req) => requestPolicy(req)));
    },
    transformIndexHtml: {
      order: 'post',
      handler(html, context) {
        if (!context.server) return html;
        return html.replace(
          META_POLICY,
          (_, open: string, policy: string, close: string) =>
            open + withInlineScripts(policy, inlineScripts(html)) + close,
        );
      },
    },
  };
}
