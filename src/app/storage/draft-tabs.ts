/**
 * One editing tab per exercise draft. Tabs of the app talk over a BroadcastChannel: a tab opening
 * an exercise asks whether another tab edits its draft; if one answers, this tab shows the draft
 * read-only with "Edit here". Taking over asks the editing tab to write what it has and step back
 * (it becomes read-only), then reloads the draft. So two tabs never write the same draft over each
 * other's edits, and nothing changes hands without the learner choosing.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export type DraftTabMode =
  /** Asking the other tabs (a moment after opening). */
  | 'checking'
  | 'editing'
  /** Another tab edits this draft: read-only here until "Edit here". */
  | 'elsewhere';

type DraftTabMessage =
  | { type: 'hello'; exerciseId: string; from: string }
  | { type: 'editing'; exerciseId: string; from: string; to: string }
  | { type: 'take'; exerciseId: string; from: string }
  | { type: 'released'; exerciseId: string; from: string; to: string };

const CHANNEL = 'cv-lab-draft-tabs';
/** How long an opening tab waits for an editing tab to answer. */
export const draftTabAnswerMs = 250;
/** How long "Edit here" waits for the editing tab to write and step back (it may have been closed). */
const releaseWaitMs = 2000;

const tabId = typeof crypto !== 'undefined' ? crypto.randomUUID() : String(Math.random());

export interface DraftTab {
  mode: DraftTabMode;
  /** "Edit here": the editing tab writes its draft and steps back, then this tab reloads it and edits. */
  takeOver(): Promise<void>;
}

/** `flush` writes this tab's pending edits (called before handing the draft to another tab). */
export function useDraftTab(exerciseId: string, flush: () => Promise<void>): DraftTab {
  const hasChannel = typeof BroadcastChannel !== 'undefined';
  const [mode, setMode] = useState<DraftTabMode>(hasChannel ? 'checking' : 'editing');
  const modeRef = useRef(mode);
  const channelRef = useRef<BroadcastChannel | null>(null);
  const flushRef = useRef(flush);
  useEffect(() => {
    flushRef.current = flush;
  }, [flush]);

  useEffect(() => {
    if (!hasChannel) return;
    const channel = new BroadcastChannel(CHANNEL);
    channelRef.current = channel;
    const enter = (next: DraftTabMode) => {
      modeRef.current = next;
      setMode(next);
    };
    enter('checking');
    channel.onmessage = (event: MessageEvent<DraftTabMessage>) => {
      const message = event.data;
      if (message.exerciseId !== exerciseId || message.from === tabId) return;
      if (message.type === 'hello' && modeRef.current === 'editing') {
        channel.postMessage({ type: 'editing', exerciseId, from: tabId, to: message.from });
      }
      if (message.type === 'editing' && message.to === tabId) enter('elsewhere');
      if (message.type === 'take' && modeRef.current === 'editing') {
        enter('elsewhere');
        void flushRef
          .current()
          .finally(() =>
            channel.postMessage({ type: 'released', exerciseId, from: tabId, to: message.from }),
          );
      }
    };
    channel.postMessage({ type: 'hello', exerciseId, from: tabId });
    const timer = setTimeout(() => {
      if (modeRef.current === 'checking') enter('editing');
    }, draftTabAnswerMs);
    return () => {
      clearTimeout(timer);
      channel.close();
      channelRef.current = null;
    };
  }, [exerciseId, hasChannel]);

  const takeOver = useCallback(async () => {
    const channel = channelRef.current;
    if (channel) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, releaseWaitMs);
        channel.addEventListener('message', (event: MessageEvent<DraftTabMessage>) => {
          const message = event.data;
          if (message.type === 'released' && message.to === tabId && message.exerciseId === exerciseId) {
            clearTimeout(timer);
            resolve();
          }
        });
        channel.postMessage({ type: 'take', exerciseId, from: tabId });
      });
    }
    // The draft as the other tab left it, read afresh; the other tab no longer answers "editing".
    window.location.reload();
  }, [exerciseId]);

  return { mode, takeOver };
}
