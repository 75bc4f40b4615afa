/**
 * Downloads with Node's global fetch, logging progress every tenth of the way: one file into
 * memory here; archives stream to disk in archive-download.ts with the same progress lines.
 */

/** Throws an Error with the HTTP status or the network error's message. */
export async function downloadFile(url: string, log: (line: string) => void): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  const header = Number(response.headers.get('content-length'));
  const total = Number.isFinite(header) && header > 0 ? header : undefined;
  log(`downloading ${url}${total ? ` (${formatSize(total)})` : ''}`);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const progress = progressLog(total, log);
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    loaded += chunk.length;
    progress(loaded);
  }
  if (total !== undefined && loaded !== total) {
    throw new Error(`the connection closed after ${loaded} of ${total} bytes`);
  }
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

export const formatSize = (bytes: number) =>
  bytes < 1e6 ? `${Math.ceil(bytes / 1e3)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;

/** A function to call with the bytes loaded so far: logs `  40% of 230.0 MB` at each tenth. */
export function progressLog(
  total: number | undefined,
  log: (line: string) => void,
): (loaded: number) => void {
  let nextReport = 0.1;
  return (loaded) => {
    if (!total || loaded / total < nextReport || loaded >= total) return;
    log(`  ${Math.floor((loaded / total) * 100)}% of ${formatSize(total)}`);
    nextReport = Math.floor((loaded / total) * 10 + 1) / 10;
  };
}
