/**
 * Decoded datasets kept for the life of the worker or process, by key (`<id>:<split>`, a private
 * test's key, or `<id>:samples` for a sample sheet), so a second run, a re-grade or a preview does
 * not fetch, verify and decode the same data again, and one worker holds one copy of it. A failed
 * load is forgotten: the next call tries again.
 */
import type { LoadedDataset } from './types';

const loads = new Map<string, Promise<unknown>>();

/** `load()` once per key; a key names one kind of value (`<id>:train`, `<id>:samples`). */
export function loadOnce<T = LoadedDataset>(key: string, load: () => Promise<T>): Promise<T> {
  let pending = loads.get(key) as Promise<T> | undefined;
  if (!pending) {
    pending = load();
    loads.set(key, pending);
    pending.catch(() => {
      if (loads.get(key) === pending) loads.delete(key);
    });
  }
  return pending;
}
