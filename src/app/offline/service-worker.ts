/**
 * CV Lab's service worker. Built by `scripts/vite-plugin-offline.ts` into `/sw.js`, which replaces
 * `__CV_LAB_PRECACHE__` with the build's file list.
 *
 * - install: downloads every file of the build (shell, Monaco and its workers, the typings chunk,
 *   tfjs, the three WASM binaries, the bundled catalog) into one versioned cache, all or nothing.
 * - a new version waits until the page asks it to take over (the "Update" button), so an open
 *   exercise is never reloaded under the learner's hands.
 * - every response it serves carries COOP/COEP/CORP (see sw-routes.ts), and the app's page and
 *   workers their Content-Security-Policy (see src/app/security/content-security-policy.ts).
 * - an exercise's hints, quiz answers and reference (`/assets/private-*`) are not precached: they
 *   are fetched when shown or graded with outside an exam, and kept in the shell cache then.
 * - `/datasets/` and `/models/` are network first and cached on the way (their own caches, which
 *   outlive versions); offline, the cache answers.
 */
import {
  ROUTE_CACHES,
  isolatedHeaders,
  routeRequest,
  shellCacheName,
  staleShellCaches,
  type PrecacheManifest,
} from './sw-routes';
import { policyFor } from '../security/content-security-policy';

declare const self: ServiceWorkerGlobalScope;
declare const __CV_LAB_PRECACHE__: PrecacheManifest;

const precache: PrecacheManifest = __CV_LAB_PRECACHE__;
const shellCache = shellCacheName(precache.version);
const precached = new Set(precache.urls);

/**
 * A response to serve: with the isolation headers and, for the app's page and workers (`policy`),
 * the Content-Security-Policy the servers send; none left over from the cached copy otherwise.
 */
function withIsolation(response: Response, policy?: string): Response {
  // Opaque responses cannot be rebuilt (and are never ours).
  if (response.type === 'opaque' || response.type === 'opaqueredirect') return response;
  const headers = isolatedHeaders(response.headers);
  if (policy) headers.set('Content-Security-Policy', policy);
  else headers.delete('Content-Security-Policy');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function policyOf(request: Request): string | undefined {
  return policyFor(new URL(request.url).pathname, request.destination);
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(shellCache);
      // `reload`: never fill the cache from the HTTP cache of an older build.
      await cache.addAll(precache.urls.map((url) => new Request(url, { cache: 'reload' })));
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of staleShellCaches(await caches.keys(), precache.version)) await caches.delete(name);
      // On a first visit, take the open page (and its workers) now so a first run caches its dataset.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  const data: unknown = event.data;
  if (data && typeof data === 'object' && (data as { type?: unknown }).type === 'skip-waiting') {
    void self.skipWaiting();
  }
});

// `ignoreVary`: the server sends `Vary: Origin`, and a module script's request carries an Origin
// header that the install's requests did not.
async function fromShell(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName: shellCache, ignoreSearch: true, ignoreVary: true });
  if (cached) return withIsolation(cached, policyOf(request));
  return fetch(request);
}

/** `on-demand` chunks: the shell cache once fetched, else the network, kept on the way. */
async function onDemand(request: Request): Promise<Response> {
  const cache = await caches.open(shellCache);
  const cached = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
  if (cached) return withIsolation(cached, policyOf(request));
  const response = await fetch(request);
  if (response.ok) cache.put(request, withIsolation(response.clone())).catch(() => undefined);
  return response;
}

async function navigation(request: Request): Promise<Response> {
  const cached = await caches.match('/index.html', { cacheName: shellCache, ignoreVary: true });
  if (cached) return withIsolation(cached, policyFor('/index.html', 'document'));
  return fetch(request);
}

async function networkFirst(request: Request, cacheName: string): Promise<Response> {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) {
      // A full quota must not fail the run: the file is still handed to the page.
      const copy = response.clone();
      cache.put(request, withIsolation(copy)).catch(() => undefined);
    }
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreVary: true });
    if (cached) return withIsolation(cached);
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  const route = routeRequest(url, request.mode, self.location.origin, precached);
  if (route === 'navigation') event.respondWith(navigation(request));
  else if (route === 'precache') event.respondWith(fromShell(request));
  else if (route === 'on-demand') event.respondWith(onDemand(request));
  else if (route === 'dataset' || route === 'model') {
    event.respondWith(networkFirst(request, ROUTE_CACHES[route]));
  }
});
