/**
 * Writing files into the Cache Storage, the one way the page and the lab worker do it: as
 * responses carrying the isolation headers, and a set of files all or nothing.
 *
 * A set of files (a dataset, a model) counts as cached only when its last file (the dataset's
 * manifest, the model's `model.json`) is there: that file is removed before the others are written
 * and written after them, and a failure (a full quota included) removes what was written. So a
 * reader never takes a half-written set for a complete one.
 */

/**
 * The page is cross-origin isolated (COOP + COEP, see vite.config.ts). A response the service
 * worker takes from a cache must carry these headers itself, or the isolation (and with it
 * `SharedArrayBuffer`) is lost offline, and a worker script without COEP is refused outright.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** A copy of `headers` with the isolation headers set (replacing any the response had). */
export function isolatedHeaders(headers: Headers): Headers {
  const out = new Headers(headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) out.set(name, value);
  return out;
}

/** What a cache stores for one downloaded file. */
export function cachedResponse(bytes: Uint8Array, contentType: string): Response {
  const headers = isolatedHeaders(
    new Headers({ 'Content-Type': contentType, 'Content-Length': String(bytes.length) }),
  );
  return new Response(bytes as Uint8Array<ArrayBuffer>, { status: 200, headers });
}

/** The part of a `Cache` the writers use (a test passes a fake). */
export type WritableCache = Pick<Cache, 'put' | 'delete'>;

export interface CacheFile {
  url: string;
  bytes: Uint8Array;
  contentType: string;
}

/** Files written one by one that can all be taken back (when they are too big to hold at once). */
export interface CacheBatch {
  put(file: CacheFile): Promise<void>;
  /** Removes every file this batch wrote. */
  rollback(): Promise<void>;
}

export function cacheBatch(cache: WritableCache): CacheBatch {
  const written: string[] = [];
  return {
    async put(file) {
      // Counted before the write: a put that fails halfway may still have left an entry.
      written.push(file.url);
      await cache.put(file.url, cachedResponse(file.bytes, file.contentType));
    },
    async rollback() {
      await Promise.allSettled(written.map((url) => cache.delete(url)));
    },
  };
}

/**
 * Writes `files` (the last one marks the set complete: it is removed first and written last), or
 * none of them: on any failure it removes what it wrote and rethrows.
 */
export async function writeAllOrNothing(cache: WritableCache, files: readonly CacheFile[]): Promise<void> {
  const marker = files.at(-1);
  if (!marker) return;
  await cache.delete(marker.url);
  const batch = cacheBatch(cache);
  try {
    for (const file of files) await batch.put(file);
  } catch (error) {
    await batch.rollback();
    throw error;
  }
}
