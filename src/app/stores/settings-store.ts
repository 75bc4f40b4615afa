/**
 * The learner's settings, kept in localStorage: the pinned backend, the seed that makes runs
 * repeatable (none: every run draws its initial weights afresh), and the colour theme.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { isValidSeed } from '../../core/shared/seed';
import type { BackendPreference } from '../../core/sandbox/run-types';

export const backendPreferences: BackendPreference[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** `system` follows the browser's `prefers-color-scheme`. */
export type ThemePreference = 'system' | 'light' | 'dark';
export const themePreferences: ThemePreference[] = ['system', 'light', 'dark'];

export interface SettingsState {
  backend: BackendPreference;
  /** `RunRequest.seed` of every run; null draws afresh each time. */
  seed: number | null;
  theme: ThemePreference;
  setBackend(backend: BackendPreference): void;
  setSeed(seed: number | null): void;
  setTheme(theme: ThemePreference): void;
}

function isBackendPreference(value: unknown): value is BackendPreference {
  return backendPreferences.includes(value as BackendPreference);
}

/**
 * Whatever is stored is untrusted: an unknown backend falls back to automatic, a bad seed to none,
 * an unknown theme to the system's.
 */
export function mergeStoredSettings(persisted: unknown, current: SettingsState): SettingsState {
  const stored = (persisted ?? {}) as { backend?: unknown; seed?: unknown; theme?: unknown };
  return {
    ...current,
    backend: isBackendPreference(stored.backend) ? stored.backend : 'auto',
    seed: typeof stored.seed === 'number' && isValidSeed(stored.seed) ? stored.seed : null,
    theme: themePreferences.includes(stored.theme as ThemePreference)
      ? (stored.theme as ThemePreference)
      : 'system',
  };
}

export const useSettingsStore = create<SettingsState>()(
  persist(
    (set) => ({
      backend: 'auto',
      seed: null,
      theme: 'system',
      setBackend: (backend) => set({ backend }),
      setSeed: (seed) => set({ seed: seed !== null && isValidSeed(seed) ? seed : null }),
      setTheme: (theme) => set({ theme }),
    }),
    {
      name: 'cv-lab.settings',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (state) => ({ backend: state.backend, seed: state.seed, theme: state.theme }),
      merge: mergeStoredSettings,
    },
  ),
);
