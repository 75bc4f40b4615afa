/**
 * The Content-Security-Policy the app runs under: one definition for `index.html`'s meta tag (a
 * unit test keeps the two equal), the dev and preview servers' header (`scripts/vite-plugin-csp.ts`)
 * and the responses the service worker builds (`service-worker.ts`).
 *
 * - scripts only from the app's origin, no inline script, no eval; `'wasm-unsafe-eval'` compiles
 *   tfjs's WASM backend.
 * - `style-src 'unsafe-inline'`: React's `style` props and Monaco's and uPlot's inline styles.
 * - `connect-src`: the app's origin and the hosts of the published pretrained models it downloads
 *   (the registry's URL models), nothing else.
 * - `frame-src 'self'`: the sandbox frame (`/sandbox.html`) is served by the app and carries a
 *   stricter policy of its own; the servers never send this one with it.
 * - `worker-src blob:`: the WASM backend's threads start from blob URLs.
 *
 * Learner code runs in the sandbox frame only. The lab worker (the trusted host of a run) compiles
 * the catalog's reference solutions and hidden-case builders, shipped as text, with `new Function`;
 * a dedicated worker gets its policy from its own script's response, so that response gets
 * `labWorkerPolicy`, this policy plus `'unsafe-eval'`; the page itself never allows eval.
 */
import { PRETRAINED_MODELS } from '../../core/models/registry';

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
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'", ...publishedModelOrigins],
  'worker-src': ["'self'", 'blob:'],
  'frame-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
} as const;

/** The app page's policy (also the meta tag in index.html). */
export const pagePolicy = serialise(pageDirectives);

/**
 * The lab worker script's policy: the page's, plus eval, with which the worker compiles the
 * catalog's own reference solutions and hidden-case builders (trusted code shipped as text).
 * Learner code never runs there: it runs in the sandbox frame, under /sandbox.html's policy.
 */
export const labWorkerPolicy = serialise({
  ...pageDirectives,
  'script-src': [...pageDirectives['script-src'], "'unsafe-eval'"],
});

/** The lab worker's script, built (`/assets/lab-worker-<hash>.js`) or served by the dev server. */
const LAB_WORKER_SCRIPT = /\/lab-worker[-.][^/]*$/;

/**
 * The policy a response gets, by its path and the request's destination (`Sec-Fetch-Dest`, or a
 * service worker's `request.destination`): the app's documents and workers; nothing for other
 * documents (`/sandbox.html` has its own, `/bench.html` is the benchmark) or for plain files, on
 * which a policy means nothing.
 */
export function policyFor(pathname: string, destination: string | undefined): string | undefined {
  if (destination === 'worker') return LAB_WORKER_SCRIPT.test(pathname) ? labWorkerPolicy : pagePolicy;
  if (pathname === '/' || pathname === '/index.html') return pagePolicy;
  return undefined;
}
