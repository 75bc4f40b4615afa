/**
 * "Augmentation preview": the learner ticks augmentations, sets each one's strength, and sees one
 * train image of the exercise's dataset augmented nine times. The work runs in a lab worker of its
 * own (started on the first Preview, ended with the panel), so it never competes with a training run.
 */
import * as Comlink from 'comlink';
import { useEffect, useRef, useState } from 'react';
import type { BackendPreference } from '../../core/sandbox/run-types';
import type { LabWorkerApi, PreviewAugmentation, PreviewStep } from '../../worker/contract';

interface Choice {
  augmentation: PreviewAugmentation;
  /** What the learner would write, for the label. */
  label: string;
  defaultFactor: number;
  /** Flip has no strength. */
  hasFactor: boolean;
}

const choices: Choice[] = [
  { augmentation: 'flip', label: "randomFlip({ mode: 'horizontal' })", defaultFactor: 0, hasFactor: false },
  { augmentation: 'rotation', label: 'randomRotation({ factor })', defaultFactor: 0.1, hasFactor: true },
  { augmentation: 'zoom', label: 'randomZoom({ heightFactor })', defaultFactor: 0.2, hasFactor: true },
  {
    augmentation: 'translation',
    label: 'randomTranslation({ heightFactor, widthFactor })',
    defaultFactor: 0.1,
    hasFactor: true,
  },
  { augmentation: 'brightness', label: 'randomBrightness({ factor })', defaultFactor: 0.2, hasFactor: true },
  { augmentation: 'contrast', label: 'randomContrast({ factor })', defaultFactor: 0.2, hasFactor: true },
  { augmentation: 'cutout', label: 'cutout({ size: factor × side })', defaultFactor: 0.25, hasFactor: true },
];

interface ChoiceState {
  enabled: boolean;
  factor: string;
}

/** Pixels per image pixel on screen: Fashion-MNIST's 28 × 28 is too small to judge at 1×. */
const scale = 4;

export function AugmentPreview({ datasetId, backend }: { datasetId: string; backend: BackendPreference }) {
  const [state, setState] = useState<Record<PreviewAugmentation, ChoiceState>>(
    () =>
      Object.fromEntries(
        choices.map((c) => [c.augmentation, { enabled: false, factor: String(c.defaultFactor) }]),
      ) as Record<PreviewAugmentation, ChoiceState>,
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [seed, setSeed] = useState(1);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const workerRef = useRef<{ worker: Worker; api: Comlink.Remote<LabWorkerApi> } | null>(null);

  useEffect(
    () => () => {
      workerRef.current?.worker.terminate();
      workerRef.current = null;
    },
    [],
  );

  const preview = async () => {
    const steps: PreviewStep[] = [];
    for (const choice of choices) {
      const { enabled, factor } = state[choice.augmentation];
      if (!enabled) continue;
      const value = choice.hasFactor ? Number(factor) : 0;
      if (!Number.isFinite(value)) {
        setError(`The factor of ${choice.augmentation} must be a number, got "${factor}".`);
        return;
      }
      steps.push({ augmentation: choice.augmentation, factor: value });
    }
    setBusy(true);
    setError(null);
    try {
      if (!workerRef.current) {
        const worker = new Worker(new URL('../../worker/lab-worker.ts', import.meta.url), {
          type: 'module',
          name: 'cv-lab-preview',
        });
        workerRef.current = { worker, api: Comlink.wrap<LabWorkerApi>(worker) };
      }
      const grid = await workerRef.current.api.previewAugmentations({ datasetId, steps, seed, backend });
      const canvas = canvasRef.current;
      const context = canvas?.getContext('2d');
      if (!canvas || !context) return;
      canvas.width = grid.width;
      canvas.height = grid.height;
      canvas.style.width = `${grid.width * scale}px`;
      canvas.style.height = `${grid.height * scale}px`;
      context.putImageData(new ImageData(new Uint8ClampedArray(grid.rgba), grid.width, grid.height), 0, 0);
      canvas.dataset.drawn = 'true';
      setSeed((s) => s + 1); // the next Preview shows fresh randomness
    } catch (thrown) {
      setError(thrown instanceof Error ? thrown.message : String(thrown));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="augment-preview" data-testid="augment-preview">
      <summary>Augmentation preview</summary>
      <p className="augment-preview-help">
        One training image of <code>{datasetId}</code> through the augmentations you tick, nine times over, as{' '}
        <code>lab.augment.ops</code> would do it.
      </p>
      <div className="augment-preview-choices">
        {choices.map((choice) => {
          const current = state[choice.augmentation];
          const update = (patch: Partial<ChoiceState>) =>
            setState((s) => ({ ...s, [choice.augmentation]: { ...s[choice.augmentation], ...patch } }));
          return (
            <div key={choice.augmentation} className="augment-preview-choice">
              <label>
                <input
                  type="checkbox"
                  name={`augment-${choice.augmentation}`}
                  checked={current.enabled}
                  onChange={(event) => update({ enabled: event.target.checked })}
                />{' '}
                <code>{choice.label}</code>
              </label>
              {choice.hasFactor && (
                <input
                  type="number"
                  step="0.05"
                  aria-label={`${choice.augmentation} factor`}
                  name={`augment-${choice.augmentation}-factor`}
                  value={current.factor}
                  onChange={(event) => update({ factor: event.target.value })}
                />
              )}
            </div>
          );
        })}
      </div>
      <button
        type="button"
        className="button"
        onClick={() => void preview()}
        disabled={busy}
        data-testid="augment-preview-button"
      >
        {busy ? 'Preparing…' : 'Preview'}
      </button>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <canvas ref={canvasRef} className="augment-preview-canvas" data-testid="augment-preview-canvas" />
    </details>
  );
}
