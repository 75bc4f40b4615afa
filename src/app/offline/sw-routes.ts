/**
 * The service worker's decisions, as pure functions the unit tests can call: which cache a request
 * belongs to, and the headers every response it serves must carry.
 *
 * The page is cross-origin isolated (COOP + COEP, see vite.config.ts). A response the service
 * worker builds or takes from a cache must carry those headers itself, or the isolation (and with
 * it `SharedArrayBuffer`) is lost offline, and a worker script without COEP is refused outright.
 */

/**
 * The app shell's cache name: versioned, one cache per build. Datasets live in `DATASETS_CACHE`
 * (`src/storage/cache-names.ts`), which outlives versions and which the lab worker reads too.
 */
export const SHELL_CACHE_PREFIX = 'cv-lab-shell-';

/**
 * A query parameter the page adds when it downloads a dataset itself ("Make available offline"):
 * the service worker lets such requests through untouched, since the page verifies and caches them.
 */
export const DIRECT_DOWNLOAD_PARAM = 'cv-lab-download';

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** What the service worker does with one GET request. */
export type RequestRoute =
  /** A page navigation: the precached `index.html` (hash routing: every page is that file). */
  | 'navigation'
  /** A build asset listed in the precache manifest: cache first. */
  | 'precache'
  /** A prepared dataset file: network first, cached on the way (so one run makes it offline). */
  | 'dataset'
  /** Anything else (other origins, the page's own dataset downloads): the network, untouched. */
  | 'network';

export interface PrecacheManifest {
  /** Changes with every build whose files change: names the shell cache. */
  version: string;
  /** Root-relative URLs (`/`, `/assets/index-abc.js`, ...). */
  urls: string[];
}

export function shellCacheName(version: string): string {
  return `${SHELL_CACHE_PREFIX}${version}`;
}

export function routeRequest(
  url: URL,
  mode: RequestMode,
  origin: string,
  precached: ReadonlySet<string>,
): RequestRoute {
  if (url.origin !== origin) return 'network';
  if (mode === 'navigate') return 'navigation';
  if (url.pathname.startsWith('/datasets/')) {
    return url.searchParams.has(DIRECT_DOWNLOAD_PARAM) ? 'network' : 'dataset';
  }
  return precached.has(url.pathname) ? 'precache' : 'network';
}

/** A copy of `headers` with the isolation headers set (replacing any the response had). */
export function isolatedHeaders(headers: Headers): Headers {
  const out = new Headers(headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) out.set(name, value);
  return out;
}

/** Old shell caches to delete when a new version activates; dataset caches are never touched. */
export function staleShellCaches(cacheNames: readonly string[], currentVersion: string): string[] {
  const current = shellCacheName(currentVersion);
  return cacheNames.filter((name) => name.startsWith(SHELL_CACHE_PREFIX) && name !== current);
}
