/**
 * Writing files into the Cache Storage, the one way the page and the lab worker do it: as
 * responses carrying the isolation headers, and a set of files all or nothing.
 *
 * A set of files (a dataset, a model) counts as cached only when its last file (the dataset's
 * manifest, the model's `model.json`) is there: that file is removed before the others are written
 * and written after them. A failure (a full quota included) puts the cache back as it was before
 * the write: what the write added goes, what it replaced or removed comes back. So a reader never
 * takes a half-written set for a complete one, and a failed update never costs a copy cached before.
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
export type WritableCache = Pick<Cache, 'put' | 'delete' | 'match'>;

export interface CacheFile {
  url: string;
  bytes: Uint8Array;
  contentType: string;
}

/** Files written one by one that can all be taken back (when they are too big to hold at once). */
export interface CacheBatch {
  /** Writes a file (not at all when the cache holds these very bytes already). */
  put(file: CacheFile): Promise<void>;
  remove(url: string): Promise<void>;
  /** Puts the cache back as it was before this batch: removes what it added, restores what it replaced. */
  rollback(): Promise<void>;
}

interface Earlier {
  bytes: Uint8Array<ArrayBuffer>;
  headers: Headers;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export function cacheBatch(cache: WritableCache): CacheBatch {
  /** What each URL held before this batch first touched it (null: nothing). */
  const before = new Map<string, Earlier | null>();
  const changed = new Set<string>();
  const remember = async (url: string): Promise<Earlier | null> => {
    if (!before.has(url)) {
      // `ignoreVary`: the service worker's copies vary on Origin, which this request lacks.
      const response = await cache.match(url, { ignoreVary: true });
      before.set(
        url,
        response ? { bytes: new Uint8Array(await response.arrayBuffer()), headers: response.headers } : null,
      );
    }
    return before.get(url) ?? null;
  };
  return {
    async put(file) {
      const earlier = await remember(file.url);
      if (earlier && !changed.has(file.url) && sameBytes(earlier.bytes, file.bytes)) return;
      // Counted before the write: a put that fails halfway may still have left an entry.
      changed.add(file.url);
      await cache.put(file.url, cachedResponse(file.bytes, file.contentType));
    },
    async remove(url) {
      if (!(await remember(url))) return;
      changed.add(url);
      await cache.delete(url);
    },
    async rollback() {
      const urls = [...changed];
      // Additions first: their space lets the earlier copies back in under a full quota.
      await Promise.allSettled(urls.filter((url) => !before.get(url)).map((url) => cache.delete(url)));
      await Promise.allSettled(
        urls.flatMap((url) => {
          const earlier = before.get(url);
          return earlier ? [cache.put(url, new Response(earlier.bytes, { headers: earlier.headers }))] : [];
        }),
      );
    },
  };
}

/**
 * Writes `files` (the last one marks the set complete: it is removed first and written last), or
 * none of them: on any failure it puts back what the cache held before and rethrows.
 */
export async function writeAllOrNothing(cache: WritableCache, files: readonly CacheFile[]): Promise<void> {
  const marker = files.at(-1);
  if (!marker) return;
  const batch = cacheBatch(cache);
  try {
    await batch.remove(marker.url);
    for (const file of files) await batch.put(file);
  } catch (error) {
    await batch.rollback();
    throw error;
  }
}
