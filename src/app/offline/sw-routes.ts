/**
 * The service worker's decisions, as pure functions the unit tests can call: which cache a request
 * belongs to, and the headers every response it serves must carry (`isolatedHeaders`, shared with
 * the writers in `src/storage/cache-write.ts`).
 */
import { DATASETS_CACHE, MODELS_CACHE } from '../../storage/cache-names';

export { ISOLATION_HEADERS, isolatedHeaders } from '../../storage/cache-write';

/**
 * The app shell's cache name: versioned, one cache per build. Datasets and models live in
 * `DATASETS_CACHE` and `MODELS_CACHE` (`src/storage/cache-names.ts`), which outlive versions and
 * which the lab worker reads too.
 */
export const SHELL_CACHE_PREFIX = 'cv-lab-shell-';

/**
 * A query parameter the page adds when it downloads a dataset or a bundled model itself ("Make
 * available offline"): the service worker lets such requests through untouched, since the page
 * verifies and caches them.
 */
export const DIRECT_DOWNLOAD_PARAM = 'cv-lab-download';

/** What the service worker does with one GET request. */
export type RequestRoute =
  /** A page navigation: the precached `index.html` (hash routing: every page is that file). */
  | 'navigation'
  /** A build asset listed in the precache manifest: cache first. */
  | 'precache'
  /** A prepared dataset file: network first, cached on the way (so one run makes it offline). */
  | 'dataset'
  /** A bundled pretrained model's file (`/models/`): the same, in the models cache. */
  | 'model'
  /**
   * A chunk of this build that is fetched only when needed: an exercise's hints, quiz answers or
   * reference (`/assets/private-*`, scripts/vite-plugin-exercises.ts). Not precached, so an exam's
   * page never holds them; cached in the shell cache once fetched, so they work offline afterwards.
   */
  | 'on-demand'
  /** Anything else (other origins, the page's own downloads): the network, untouched. */
  | 'network';

/** Which cache a network-first route fills and falls back to. */
export const ROUTE_CACHES = { dataset: DATASETS_CACHE, model: MODELS_CACHE } as const;

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
  // The app's routes get the shell; a document of its own (the sandbox frame, the bench page) is
  // served as itself, never as the app.
  if (mode === 'navigate' && !precached.has(url.pathname)) return 'navigation';
  for (const [prefix, route] of [
    ['/datasets/', 'dataset'],
    ['/models/', 'model'],
  ] as const) {
    if (url.pathname.startsWith(prefix)) {
      return url.searchParams.has(DIRECT_DOWNLOAD_PARAM) ? 'network' : route;
    }
  }
  if (precached.has(url.pathname)) return 'precache';
  return ON_DEMAND_PATH.test(url.pathname) ? 'on-demand' : 'network';
}

/** Build chunks fetched only when needed (scripts/vite-plugin-exercises.ts names them). */
export const ON_DEMAND_PATH = /^\/assets\/private-[^/]+\.js$/;

/** Old shell caches to delete when a new version activates; dataset and model caches are never touched. */
export function staleShellCaches(cacheNames: readonly string[], currentVersion: string): string[] {
  const current = shellCacheName(currentVersion);
  return cacheNames.filter((name) => name.startsWith(SHELL_CACHE_PREFIX) && name !== current);
}
