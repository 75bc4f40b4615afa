import type { BackendPreference } from '../../core/sandbox/run-types';
import { backendPreferences, useSettingsStore } from '../stores/settings-store';

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
