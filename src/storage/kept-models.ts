/**
 * Where the lab keeps trained models in the browser: tfjs's own IndexedDB handler
 * (`indexeddb://`), one key per exercise holding the latest graded model. The worker saves and
 * reads them; the page's backup recognises them; both build the key here so they always agree.
 *
 * tfjs keeps them in its own database (`tensorflowjs`, stores `models_store` and
 * `model_info_store`, keyed by `modelPath`: the URL without its `indexeddb://` scheme).
 */

/** tfjs's IndexedDB database and stores (tfjs-core `io/indexed_db.ts`). */
export const tfjsModelsDatabaseName = 'tensorflowjs';
export const tfjsModelStoreNames = ['models_store', 'model_info_store'] as const;

const scheme = 'indexeddb://';
/** Every kept model's path starts with this, so other tfjs models of the origin are never touched. */
const keptModelPrefix = 'cv-lab/';

/** The `modelPath` tfjs stores the exercise's kept model under, e.g. `cv-lab/fashion-mnist-cnn`. */
export function keptModelPath(exerciseId: string): string {
  if (!exerciseId) throw new Error('keptModelPath: an exercise id is needed');
  return `${keptModelPrefix}${exerciseId}`;
}

/** The URL `model.save` and tfjs's load handlers take, e.g. `indexeddb://cv-lab/fashion-mnist-cnn`. */
export function keptModelUrl(exerciseId: string): string {
  return `${scheme}${keptModelPath(exerciseId)}`;
}

/** The exercise a tfjs `modelPath` (or `indexeddb://` URL) keeps the model of; null for any other model. */
export function exerciseOfKeptModel(pathOrUrl: unknown): string | null {
  if (typeof pathOrUrl !== 'string') return null;
  const path = pathOrUrl.startsWith(scheme) ? pathOrUrl.slice(scheme.length) : pathOrUrl;
  if (!path.startsWith(keptModelPrefix)) return null;
  const exerciseId = path.slice(keptModelPrefix.length);
  return exerciseId.length > 0 ? exerciseId : null;
}
