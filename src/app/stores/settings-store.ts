/**
 * The learner's settings, kept in localStorage: for now the pinned backend.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { BackendPreference } from '../../core/sandbox/run-types';

export const backendPreferences: BackendPreference[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

export interface SettingsState {
  backend: BackendPreference;
  setBackend(backend: BackendPreference): void;
}

function isBackendPreference(value: unknown): value is BackendPreference {
  return backendPreferences.includes(value as BackendPreference);
}

export const useSettingsStore = create<SettingsState>()(
  persist(
    (set) => ({
      backend: 'auto',
      setBackend: (backend) => set({ backend }),
    }),
    {
      name: 'cv-lab.settings',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (state) => ({ backend: state.backend }),
      // Whatever is stored is untrusted: an unknown backend falls back to automatic choice.
      merge: (persisted, current) => {
        const backend = (persisted as { backend?: unknown } | undefined)?.backend;
        return { ...current, backend: isBackendPreference(backend) ? backend : 'auto' };
      },
    },
  ),
);
