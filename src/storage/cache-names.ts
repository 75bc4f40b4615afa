/**
 * Cache Storage names shared by the page, the service worker and the lab worker.
 *
 * Prepared dataset files and pretrained model files live in caches that outlive app versions (the
 * service worker deletes only old shell caches, see `src/app/offline/sw-routes.ts`). Renaming one
 * would orphan everything users made available offline.
 */
export const DATASETS_CACHE = 'cv-lab-datasets';
/**
 * Pretrained model files: bundled ones under `/models/<id>/`, published ones under their canonical
 * URL, plus the trust-on-first-use hashes of published ones (`src/storage/model-cache.ts`).
 */
export const MODELS_CACHE = 'cv-lab-models';
