/**
 * The service worker as the page sees it: registered at start (built app only), whether the app
 * is ready offline, and whether a new version waits. `applyUpdate` writes pending drafts, hands
 * control to the waiting version and reloads once it has taken over.
 */
import { create } from 'zustand';
import { flushBeforeReload } from '../storage/before-reload';
import { errorMessage } from '../../core/shared/errors';

export type OfflineState =
  /** Not the built app, or a browser without service workers. */
  | 'unsupported'
  /** Downloading the app's files. */
  | 'installing'
  | 'ready'
  | 'failed';

interface OfflineStore {
  state: OfflineState;
  error: string | null;
  updateWaiting: boolean;
  registration: ServiceWorkerRegistration | null;
  register(): Promise<void>;
  applyUpdate(): Promise<void>;
}

function watchInstalling(worker: ServiceWorker, onDone: (state: ServiceWorkerState) => void): void {
  worker.addEventListener('statechange', () => {
    if (worker.state === 'installed' || worker.state === 'activated' || worker.state === 'redundant') {
      onDone(worker.state);
    }
  });
}

export const useOfflineStore = create<OfflineStore>((set, get) => ({
  state: 'unsupported',
  error: null,
  updateWaiting: false,
  registration: null,

  async register() {
    if (get().registration || !import.meta.env.PROD || !('serviceWorker' in navigator)) return;
    set({ state: 'installing' });
    try {
      const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      set({ registration });
      const hadController = navigator.serviceWorker.controller !== null;
      const onWaiting = () => {
        // A waiting worker on a page that already had one is an update; on a first visit it is
        // the first version, which activates by itself.
        if (registration.waiting && hadController) set({ updateWaiting: true });
      };
      onWaiting();
      registration.addEventListener('updatefound', () => {
        const installing = registration.installing;
        if (!installing) return;
        watchInstalling(installing, (state) => {
          if (state === 'redundant' && !registration.active) {
            set({ state: 'failed', error: 'The app could not be saved for offline use (storage full?).' });
          }
          onWaiting();
        });
      });
      await navigator.serviceWorker.ready;
      set({ state: 'ready' });
    } catch (error) {
      set({ state: 'failed', error: errorMessage(error) });
    }
  },

  async applyUpdate() {
    const waiting = get().registration?.waiting;
    if (!waiting) return;
    await flushBeforeReload();
    navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), {
      once: true,
    });
    waiting.postMessage({ type: 'skip-waiting' });
  },
}));
