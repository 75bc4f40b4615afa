/**
 * The colour theme on screen: the learner's choice (settings), or the browser's
 * `prefers-color-scheme` when they chose "system". The page sets it on `<html data-theme>`; the
 * stylesheet's variables and Monaco's theme follow it.
 */
import { useEffect, useState } from 'react';
import { useSettingsStore, type ThemePreference } from './settings-store';

export type Theme = 'light' | 'dark';

const darkQuery = '(prefers-color-scheme: dark)';

export function resolveTheme(preference: ThemePreference, systemDark: boolean): Theme {
  if (preference === 'system') return systemDark ? 'dark' : 'light';
  return preference;
}

function systemPrefersDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia(darkQuery).matches;
}

/** The theme now, following both the setting and the system's scheme as either changes. */
export function useResolvedTheme(): Theme {
  const preference = useSettingsStore((s) => s.theme);
  const [systemDark, setSystemDark] = useState(systemPrefersDark);
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const query = window.matchMedia(darkQuery);
    const onChange = () => setSystemDark(query.matches);
    onChange();
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return resolveTheme(preference, systemDark);
}
