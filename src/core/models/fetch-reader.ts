/**
 * A `ModelFileReader` over `fetch` (the browser and its worker): a bundled model is read from the
 * app's own `/models/<id>/`, a published one from its canonical URL; the hashes are checked by
 * `loadPretrained` either way. The browser's lab worker reads through `labModelReader`
 * (src/storage/model-reader.ts), which adds the models cache around this reader for offline use.
 */
import { findPretrained, type ModelFileReader } from './registry';

export function fetchModelReader(modelId: string, origin: string): ModelFileReader {
  const entry = findPretrained(modelId);
  if (!entry) throw new Error(`no pretrained model "${modelId}"`);
  const base =
    entry.source.kind === 'bundled' ? new URL(`/${entry.source.path}`, origin).href : entry.source.url;
  return async (file) => {
    const url = new URL(file, base).href;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
}
