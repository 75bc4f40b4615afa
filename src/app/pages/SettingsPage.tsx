import { useState } from 'react';
import { isValidSeed, MAX_SEED } from '../../core/runtime/seed';
import type { BackendPreference } from '../../core/sandbox/run-types';
import {
  backendPreferences,
  themePreferences,
  useSettingsStore,
  type ThemePreference,
} from '../stores/settings-store';

const themeLabels: Record<ThemePreference, string> = {
  system: 'As the system (follows your browser or OS setting)',
  light: 'Light',
  dark: 'Dark',
};

const descriptions: Record<BackendPreference, string> = {
  auto: 'Try WebGPU, then WebGL, then WASM, then CPU; each is probed with a tiny training step first.',
  webgpu: 'The GPU through WebGPU. Fastest where the browser supports it.',
  webgl: 'The GPU through WebGL 2. Widely available.',
  wasm: 'The CPU through WebAssembly (SIMD, and threads when the page is cross-origin isolated).',
  cpu: 'Plain JavaScript on the CPU. Slow; a last resort that always works.',
};

function environmentFacts(): string[] {
  const facts: string[] = [];
  facts.push('gpu' in navigator ? 'WebGPU: offered by this browser' : 'WebGPU: not offered by this browser');
  facts.push(
    globalThis.crossOriginIsolated
      ? 'Cross-origin isolated: yes (multithreaded WASM available)'
      : 'Cross-origin isolated: no (WASM runs single-threaded)',
  );
  facts.push(`CPU threads: ${navigator.hardwareConcurrency ?? 'unknown'}`);
  return facts;
}

export function SettingsPage() {
  const backend = useSettingsStore((s) => s.backend);
  const setBackend = useSettingsStore((s) => s.setBackend);
  const seed = useSettingsStore((s) => s.seed);
  const setSeed = useSettingsStore((s) => s.setSeed);
  const theme = useSettingsStore((s) => s.theme);
  const setTheme = useSettingsStore((s) => s.setTheme);
  const [seedText, setSeedText] = useState(seed === null ? '' : String(seed));
  const seedProblem = seedText.trim() !== '' && !isValidSeed(Number(seedText)) ? seedText : null;

  return (
    <section className="page settings-page">
      <h1>Settings</h1>
      <fieldset className="settings-group">
        <legend>Training backend</legend>
        <p className="hint">
          Pin a backend to use it for every run. The badge beside the Run button shows the backend in use;
          hover it to see each probe and why one failed.
        </p>
        {backendPreferences.map((option) => (
          <label key={option} className="radio-row">
            <input
              type="radio"
              name="backend"
              value={option}
              checked={backend === option}
              onChange={() => setBackend(option)}
            />
            <span>
              <strong>{option === 'auto' ? 'Automatic' : option}</strong>
              <span className="radio-description">{descriptions[option]}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <fieldset className="settings-group">
        <legend>Appearance</legend>
        {themePreferences.map((option) => (
          <label key={option} className="radio-row">
            <input
              type="radio"
              name="theme"
              value={option}
              checked={theme === option}
              onChange={() => setTheme(option)}
            />
            <span>{themeLabels[option]}</span>
          </label>
        ))}
      </fieldset>
      <fieldset className="settings-group">
        <legend>Repeatable runs</legend>
        <p className="hint">
          tfjs draws each layer&apos;s initial weights, dropout masks and the order <code>fit</code> shuffles
          batches in at random, so two runs of the same code differ a little. With a seed, every run draws
          them from it: the same code on the same backend trains the same model, and you compare two ideas
          without the noise of a lucky draw. Leave it empty to draw afresh each run.
        </p>
        <label>
          Seed{' '}
          <input
            data-testid="seed-input"
            inputMode="numeric"
            placeholder="none"
            value={seedText}
            onChange={(event) => {
              const text = event.target.value;
              setSeedText(text);
              if (text.trim() === '') setSeed(null);
              else if (isValidSeed(Number(text))) setSeed(Number(text));
            }}
          />
        </label>
        {seedProblem !== null && (
          <p className="error" data-testid="seed-error">
            A seed is a whole number from 0 to {MAX_SEED}; &lsquo;{seedProblem}&rsquo; is not one, so runs
            still draw afresh.
          </p>
        )}
      </fieldset>
      <section className="settings-group">
        <h2>This browser</h2>
        <ul className="facts">
          {environmentFacts().map((fact) => (
            <li key={fact}>{fact}</li>
          ))}
        </ul>
      </section>
    </section>
  );
}
