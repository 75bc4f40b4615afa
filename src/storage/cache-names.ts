/**
 * Cache Storage names shared by the page, the service worker and the lab worker.
 *
 * Prepared dataset files live in one cache that outlives app versions (the service worker deletes
 * only old shell caches, see `src/app/offline/sw-routes.ts`). Renaming it would orphan every
 * dataset users made available offline.
 */
export const DATASETS_CACHE = 'cv-lab-datasets';
