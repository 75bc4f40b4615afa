import { useEffect, useState } from 'react';
import { rankBackends, type SpeedMeasurement } from '@cv-lab/runtime';
import { formatSpeed, pageBackends, useBackendSpeedStore } from '../stores/backend-speed-store';
import { backendSpeedSource } from '../stores/run-store';
import { errorMessage } from '../../core/shared/errors';
import { isValidSeed, MAX_SEED } from '../../core/shared/seed';
import type { BackendPreference } from '../../core/sandbox/run-types';
import {
  backendPreferences,
  themePreferences,
  useSettingsStore,
  type ThemePreference,
} from '../stores/settings-store';
import { labTrainingWorkers } from '@cv-lab/runtime';

const themeLabels: Record<ThemePreference, string> = {
  system: 'As the system (follows your browser or OS setting)',
  light: 'Light',
  dark: 'Dark',
};

const descriptions: Record<BackendPreference, string> = {
  auto: 'The fastest backend measured on this device (below); each is first checked against the CPU with a tiny training step, and a run falls back to the runner-up if its backend breaks.',
  webgpu: 'The GPU through WebGPU. Fastest where the browser supports it.',
  webgl: 'The GPU through WebGL 2. Widely available.',
  wasm: 'The CPU through WebAssembly (SIMD, and every core through data-parallel workers when the page is cross-origin isolated).',
  cpu: 'Plain JavaScript on the CPU. Slow; a last resort that always works.',
};

function environmentFacts(measurement: SpeedMeasurement | null): string[] {
  const facts: string[] = [];
  const webgpu = measurement?.facts.webgpu;
  if (!('gpu' in navigator)) facts.push('WebGPU: not offered by this browser');
  else if (!measurement)
    facts.push('WebGPU: the browser has the API; whether an adapter works is measured below');
  else if (!webgpu) facts.push('WebGPU: the browser has the API but gives no adapter');
  else facts.push(`WebGPU adapter: ${webgpu.description}${webgpu.software ? ' (software: no GPU)' : ''}`);
  const webgl = measurement?.facts.webgl;
  if (measurement) {
    facts.push(
      webgl
        ? `WebGL renderer: ${webgl.renderer}${webgl.software ? ' (software: no GPU)' : ''}`
        : 'WebGL 2: not available',
    );
  }
  // What the sandbox does with it (src/sandbox/browser-worker.ts): workers only when isolated.
  const workers = labTrainingWorkers(navigator.hardwareConcurrency, globalThis.crossOriginIsolated === true);
  facts.push(
    globalThis.crossOriginIsolated
      ? `Cross-origin isolated: yes (WASM trains ${workers === 1 ? 'on one worker' : `on ${workers} workers, each step split between them; a seeded run on one`})`
      : 'Cross-origin isolated: no (WASM trains on one worker)',
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
  const measurement = useBackendSpeedStore((s) => s.current);
  const measuring = useBackendSpeedStore((s) => s.measuring);
  const measureError = useBackendSpeedStore((s) => s.error);
  const [refused, setRefused] = useState<string | null>(null);
  const measure = (mode: 'kept-only' | 'measure') => {
    setRefused(null);
    try {
      void useBackendSpeedStore.getState().ensure(backendSpeedSource(), shapeOf(measurement), mode);
    } catch (error) {
      setRefused(errorMessage(error));
    }
  };
  useEffect(() => {
    if (!useBackendSpeedStore.getState().current) measure('kept-only');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

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
      <section className="settings-group" data-testid="backend-speeds">
        <h2>Backend speed on this device</h2>
        <p className="hint">
          The automatic choice trains a few steps of a small CNN on each backend that passes the check against
          the CPU, and takes the fastest. The figures are kept for this browser version and GPU.
        </p>
        {measurement ? (
          <SpeedTable measurement={measurement} pinned={backend} />
        ) : (
          <p data-testid="backend-speeds-none">
            {measuring ? 'Measuring…' : 'Not measured yet on this device.'}
          </p>
        )}
        <button
          type="button"
          disabled={measuring}
          onClick={() => measure('measure')}
          data-testid="measure-again"
        >
          {measuring ? 'Measuring…' : measurement ? 'Measure again' : 'Measure now'}
        </button>
        {(refused ?? measureError) && <p className="error">{refused ?? measureError}</p>}
      </section>
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
          {environmentFacts(measurement).map((fact) => (
            <li key={fact}>{fact}</li>
          ))}
        </ul>
      </section>
    </section>
  );
}

function SpeedTable({ measurement, pinned }: { measurement: SpeedMeasurement; pinned: BackendPreference }) {
  const ranking = rankBackends(measurement.trials, pinned, pageBackends);
  const [h, w, c] = measurement.inputShape;
  return (
    <>
      <table className="speed-table" data-testid="backend-speed-table">
        <thead>
          <tr>
            <th>backend</th>
            <th>images/s</th>
            <th>chosen</th>
            <th>why</th>
          </tr>
        </thead>
        <tbody>
          {measurement.trials.map((trial) => (
            <tr key={trial.backend} data-backend={trial.backend}>
              <td>
                {trial.backend}
                {trial.software ? ' (software)' : ''}
              </td>
              <td>{trial.ok ? formatSpeed(trial.imagesPerSecond!) : '—'}</td>
              <td>
                {trial.backend === ranking.chosen
                  ? 'chosen'
                  : trial.backend === ranking.runnerUp
                    ? 'runner-up'
                    : ''}
              </td>
              <td>{ranking.why[trial.backend] ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">
        Measured {new Date(measurement.measuredAt).toLocaleString()} on {h}x{w}x{c} images, batch 16.
      </p>
    </>
  );
}

/** Measure again on the shape of the last measurement (an exercise's input), or Fashion-MNIST's. */
function shapeOf(measurement: SpeedMeasurement | null): [number, number, number] {
  const shape = measurement?.inputShape;
  return shape?.length === 3 ? [shape[0], shape[1], shape[2]] : [28, 28, 1];
}
