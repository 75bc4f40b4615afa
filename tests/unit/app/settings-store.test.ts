/** Settings read back from localStorage are untrusted: a bad backend or seed never reaches a run. */
import { describe, expect, it } from 'vitest';
import { mergeStoredSettings, useSettingsStore } from '../../../src/app/stores/settings-store';

const current = useSettingsStore.getState();

describe('stored settings', () => {
  it('keep a known backend and a valid seed', () => {
    const merged = mergeStoredSettings({ backend: 'wasm', seed: 42 }, current);
    expect([merged.backend, merged.seed]).toEqual(['wasm', 42]);
  });

  it('fall back to automatic and no seed for anything else', () => {
    for (const stored of [
      { backend: 'tpu', seed: -1 },
      { backend: 3, seed: 1.5 },
      { seed: '7' },
      { seed: 2 ** 32 },
      null,
      'garbage',
    ]) {
      const merged = mergeStoredSettings(stored, current);
      expect([merged.backend, merged.seed]).toEqual(['auto', null]);
    }
  });

  it('set a seed only when it is one', () => {
    current.setSeed(7);
    expect(useSettingsStore.getState().seed).toBe(7);
    current.setSeed(Number('abc'));
    expect(useSettingsStore.getState().seed).toBeNull();
  });
});

describe('stored theme', () => {
  it('keeps a known theme and falls back to the system one', () => {
    expect(mergeStoredSettings({ theme: 'dark' }, current).theme).toBe('dark');
    expect(mergeStoredSettings({ theme: 'light' }, current).theme).toBe('light');
    for (const stored of [{ theme: 'neon' }, { theme: 1 }, {}, null]) {
      expect(mergeStoredSettings(stored, current).theme).toBe('system');
    }
  });
});
