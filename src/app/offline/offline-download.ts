/**
 * What "Make available offline" does the same for a dataset and a model: download one file with
 * progress, past the service worker, and say what went wrong in words a learner can act on.
 */
import { formatBytes } from './storage-estimate';
import { DIRECT_DOWNLOAD_PARAM } from './sw-routes';
import { errorMessage } from '../../core/shared/errors';

export interface DownloadProgress {
  loaded: number;
  total: number;
  file: string;
}

/**
 * Downloads one file. Same-origin requests carry `DIRECT_DOWNLOAD_PARAM`, so the service worker
 * lets them through (the caller verifies and caches them); neither it nor the HTTP cache answers.
 */
export async function downloadFile(
  url: string,
  onBytes: (loaded: number) => void,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const direct = new URL(url);
  if (typeof location !== 'undefined' && direct.origin === location.origin) {
    direct.searchParams.set(DIRECT_DOWNLOAD_PARAM, '1');
  }
  const response = await fetch(direct, { cache: 'no-store', signal });
  if (!response.ok) throw new Error(`${direct.pathname} answered HTTP ${response.status}`);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onBytes(loaded);
  }
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** What the cache holds of a dataset or model after a failed download: what was there before it. */
export interface KeptCopy {
  complete: boolean;
  cachedBytes: number;
}

/** The sentence that says what a failed download kept (the writers put back what was cached before). */
function keptText(name: string, kept: KeptCopy): string {
  if (kept.complete) return `The copy cached before is kept: ${name} stays available offline.`;
  if (kept.cachedBytes > 0) return `The ${formatBytes(kept.cachedBytes)} of it cached before are kept.`;
  return 'Nothing of it was cached before, so none is kept.';
}

/**
 * Says what went wrong making `name` (a dataset or model id) offline, and what stays cached
 * (`kept`: its cached state read after the failure); a full quota gets its own message.
 */
export function describeCacheError(error: unknown, name: string, kept: KeptCopy): string {
  const errorName = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (errorName === 'QuotaExceededError') {
    return `Not enough storage to keep ${name} offline: the browser's quota for this site is full. ${keptText(name, kept)} Remove another dataset or model or free space, then try again.`;
  }
  const detail = errorMessage(error);
  return `Could not make ${name} available offline: ${detail}. ${keptText(name, kept)}`;
}
