/**
 * The browser's `DatasetFileReader`: fetches each file under a base URL and reports progress as the
 * response body streams in. Pure web platform (global `fetch`), so it also runs in Node tests.
 */
import { DatasetError, DatasetNotPreparedError } from './errors';
import { MANIFEST_FILE } from './manifest';
import type { DatasetFileReader } from './types';
import { errorMessage } from '../shared/errors';

/**
 * `baseUrl` is the dataset's folder, e.g. `https://host/datasets/fashion-mnist/` (a missing
 * trailing slash is added). A 404 on `manifest.json`, or an HTML page in its place, means the
 * dataset was never prepared.
 */
export function fetchDatasetReader(baseUrl: string): DatasetFileReader {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const datasetId = base.split('/').filter(Boolean).pop() ?? base;
  return async (path, onProgress) => {
    let response: Response;
    try {
      response = await fetch(new URL(path, base));
    } catch (error) {
      const message = errorMessage(error);
      throw new DatasetError(path, `could not be fetched from ${base} (${message})`, { cause: error });
    }
    if (response.status === 404) {
      throw path === MANIFEST_FILE
        ? new DatasetNotPreparedError(datasetId)
        : new DatasetError(path, 'missing (HTTP 404)');
    }
    if (!response.ok) {
      throw new DatasetError(path, `could not be fetched: HTTP ${response.status} ${response.statusText}`);
    }
    // A server that answers a missing file with the app's page (a single-page app's fallback, as
    // `vite preview` does) has no such dataset either.
    if (path === MANIFEST_FILE && /^text\/html\b/i.test(response.headers.get('content-type') ?? '')) {
      await response.body?.cancel();
      throw new DatasetNotPreparedError(datasetId);
    }
    const header = response.headers.get('content-length');
    // With a Content-Encoding the header counts the encoded bytes, not what the body yields.
    const total = header && !response.headers.get('content-encoding') ? Number(header) : undefined;
    if (!response.body) return new Uint8Array(await response.arrayBuffer());
    return readBody(response.body, total, (loaded) => onProgress?.(loaded, total));
  };
}

async function readBody(
  body: ReadableStream<Uint8Array>,
  total: number | undefined,
  onProgress: (loaded: number) => void,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress(loaded);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total !== undefined && total === loaded ? total : loaded);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
