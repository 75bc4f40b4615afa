/**
 * The Content-Security-Policy the app runs under: one definition for `index.html`'s meta tag (a
 * unit test keeps the two equal), the dev and preview servers' header (`scripts/vite-plugin-csp.ts`)
 * and the responses the service worker builds (`service-worker.ts`).
 *
 * - scripts only from the app's origin, and one inline script by its hash: the sandbox frame's
 *   (`sandbox-frame-document.ts`), which is a `srcdoc` frame and so runs under this policy too;
 *   `'wasm-unsafe-eval'` compiles tfjs's WASM backend.
 * - `'unsafe-eval'`: learner code is compiled with `new Function` in the sandbox frame's worker,
 *   which inherits this policy (a frame that works offline must be a `srcdoc` one: a sandboxed
 *   frame's navigation never reaches the service worker); the lab worker compiles the catalog's
 *   reference solutions the same way. No inline or remote script runs in the page.
 * - `style-src 'unsafe-inline'`: React's `style` props and Monaco's and uPlot's inline styles.
 * - `connect-src`: the app's origin, the hosts of the published pretrained models it downloads (the
 *   registry's URL models), and `blob:` (the sandbox reads tfjs's WASM from blob URLs); nothing else.
 *   The sandbox frame's own policy narrows this to `blob:` alone.
 * - `worker-src blob:`: the sandbox's worker and the WASM backend's threads start from blob URLs.
 */
import { PRETRAINED_MODELS } from '../../core/models/registry';
import { frameScriptHash } from './sandbox-frame-document';

/** Origins of the pretrained models the app downloads from the web (the registry's `url` sources). */
export const publishedModelOrigins: readonly string[] = [
  ...new Set(
    PRETRAINED_MODELS.flatMap((m) => (m.source.kind === 'url' ? [new URL(m.source.url).origin] : [])),
  ),
].sort();

function serialise(directives: Record<string, readonly string[]>): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');
}

const pageDirectives = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'", "'unsafe-eval'", frameScriptHash],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'", ...publishedModelOrigins, 'blob:'],
  'worker-src': ["'self'", 'blob:'],
  'frame-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
} as const;

/** The app page's policy (also the meta tag in index.html). */
export const pagePolicy = serialise(pageDirectives);

/**
 * The policy a response gets, by its path and the request's destination (`Sec-Fetch-Dest`, or a
 * service worker's `request.destination`): the app's documents and workers; nothing for other
 * documents (`/bench.html` is the benchmark) or for plain files, on
 * which a policy means nothing.
 */
export function policyFor(pathname: string, destination: string | undefined): string | undefined {
  if (destination === 'worker') return pagePolicy;
  if (pathname === '/' || pathname === '/index.html') return pagePolicy;
  return undefined;
}
