/** The browser's storage figures for this site, and its persistent-storage request. */
import { useCallback, useEffect, useState } from 'react';

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(0)} kB`;
  return `${bytes} B`;
}

export interface StorageFigures {
  usage?: number;
  quota?: number;
  /** null: the browser has no answer (no StorageManager). */
  persisted: boolean | null;
}

export function useStorageFigures(): {
  figures: StorageFigures;
  refresh(): Promise<void>;
  requestPersist(): Promise<boolean | null>;
} {
  const [figures, setFigures] = useState<StorageFigures>({ persisted: null });
  const refresh = useCallback(async () => {
    if (!navigator.storage?.estimate) return;
    const [estimate, persisted] = await Promise.all([
      navigator.storage.estimate(),
      navigator.storage.persisted?.() ?? Promise.resolve(null),
    ]);
    setFigures({ usage: estimate.usage, quota: estimate.quota, persisted });
  }, []);
  const requestPersist = useCallback(async () => {
    if (!navigator.storage?.persist) return null;
    const granted = await navigator.storage.persist();
    setFigures((f) => ({ ...f, persisted: granted }));
    return granted;
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return { figures, refresh, requestPersist };
}
