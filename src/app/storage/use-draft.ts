/**
 * The learner's draft for one exercise: loaded from IndexedDB (the starter when there is none),
 * kept in memory on every keystroke, written back ~500 ms after typing stops. A failed write
 * leaves the in-memory draft untouched and says why.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { registerBeforeReload } from './before-reload';
import { loadDraft, saveDraft } from './drafts';
import { describeStorageError } from './storage-error';

export type DraftSaveState = 'loading' | 'saved' | 'pending' | 'saving' | 'failed';

export const draftSaveDelayMs = 500;

export interface Draft {
  /** null while the stored draft is being read. */
  initialCode: string | null;
  /** The latest text, always in memory whatever storage does. */
  codeRef: React.MutableRefObject<string>;
  saveState: DraftSaveState;
  storageError: string | null;
  /** Call on every edit. */
  update(code: string): void;
  /** Writes a pending change now (before a run, or when leaving the page). */
  flush(): Promise<void>;
}

export function useDraft(exerciseId: string, starter: string): Draft {
  const [initialCode, setInitialCode] = useState<string | null>(null);
  const [saveState, setSaveState] = useState<DraftSaveState>('loading');
  const [storageError, setStorageError] = useState<string | null>(null);
  const codeRef = useRef(starter);
  const timerRef = useRef<ReturnType<typeof setTimeout> | null>(null);
  const dirtyRef = useRef(false);

  useEffect(() => {
    let cancelled = false;
    loadDraft(exerciseId)
      .then((draft) => {
        if (cancelled) return;
        codeRef.current = draft?.code ?? starter;
        setInitialCode(codeRef.current);
        setSaveState('saved');
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        codeRef.current = starter;
        setInitialCode(starter);
        setSaveState('failed');
        setStorageError(describeStorageError(error, 'load your saved draft'));
      });
    return () => {
      cancelled = true;
    };
  }, [exerciseId, starter]);

  const write = useCallback(async () => {
    if (timerRef.current) clearTimeout(timerRef.current);
    timerRef.current = null;
    if (!dirtyRef.current) return;
    dirtyRef.current = false;
    setSaveState('saving');
    try {
      await saveDraft(exerciseId, codeRef.current);
      // A keystroke during the write leaves it pending, not saved.
      setSaveState(dirtyRef.current ? 'pending' : 'saved');
      setStorageError(null);
    } catch (error) {
      dirtyRef.current = true;
      setSaveState('failed');
      setStorageError(describeStorageError(error, 'save your draft'));
    }
  }, [exerciseId]);

  const update = useCallback(
    (code: string) => {
      codeRef.current = code;
      dirtyRef.current = true;
      setSaveState('pending');
      if (timerRef.current) clearTimeout(timerRef.current);
      timerRef.current = setTimeout(() => void write(), draftSaveDelayMs);
    },
    [write],
  );

  // Leaving the page or the exercise: write what is pending.
  useEffect(() => {
    const onHide = () => void write();
    window.addEventListener('pagehide', onHide);
    // The app's "Update" reloads the page: it waits for this write first.
    const unregister = registerBeforeReload(write);
    return () => {
      window.removeEventListener('pagehide', onHide);
      unregister();
      void write();
    };
  }, [write]);

  return { initialCode, codeRef, saveState, storageError, update, flush: write };
}
