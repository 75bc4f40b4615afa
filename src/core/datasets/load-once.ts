/**
 * Decoded datasets kept for the life of the worker or process, by key (`<id>:<split>`, or a
 * private test's key), so a second run, a re-grade or a preview does not fetch, verify and decode
 * the same data again, and one worker holds one copy of it. A failed load is forgotten: the next
 * call tries again.
 */
import type { LoadedDataset } from './types';

const loads = new Map<string, Promise<LoadedDataset>>();

export function loadOnce(key: string, load: () => Promise<LoadedDataset>): Promise<LoadedDataset> {
  let pending = loads.get(key);
  if (!pending) {
    pending = load();
    loads.set(key, pending);
    pending.catch(() => {
      if (loads.get(key) === pending) loads.delete(key);
    });
  }
  return pending;
}
