/**
 * "Augmentation preview": the learner ticks augmentations, sets each one's strength, and sees one
 * train image of the exercise's dataset augmented nine times. The work runs in a lab worker of its
 * own (started on the first Preview, ended with the panel), so it never competes with a training run.
 *
 * The image is one on which a transform shows: among the first train images, the most asymmetric
 * (`gallerySamples`' `striking`: a scratch or a shoe, not a plain surface a flip leaves unchanged);
 * "Another image" steps to the next. Those images are in the dataset's sample sheet (a few KB).
 * The grid fits its column: sized by CSS to the column's width (at most `scale` screen pixels per
 * image pixel), drawn at the screen's pixel ratio, pixels crisp.
 */
import * as Comlink from 'comlink';
import { memo, useEffect, useRef, useState } from 'react';
import { SAMPLE_SHEET } from '../../core/datasets/sample-sheet';
import type { BackendPreference } from '../../core/sandbox/run-types';
import type {
  AugmentPreviewAnswer,
  LabWorkerApi,
  PreviewAugmentation,
  PreviewStep,
} from '../../worker/contract';

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

/** At most this many CSS pixels per image pixel: Fashion-MNIST's 28 × 28 is too small to judge at 1×. */
const scale = 4;

/**
 * Train images ranked for the preview, and how many of the best "Another image" steps through: what
 * a dataset's sample sheet holds, so the preview reads the sheet, not the train split.
 */
const scanImages = SAMPLE_SHEET.scan;
const candidateImages = SAMPLE_SHEET.strikingKept;

/**
 * Draws a grid on `canvas` as wide as its column allows (at most `scale`× the grid), with as many
 * backing pixels as the screen has, scaled without smoothing so the pixels stay crisp.
 */
function drawGrid(canvas: HTMLCanvasElement, grid: AugmentPreviewAnswer): void {
  const context = canvas.getContext('2d');
  const column = canvas.parentElement?.clientWidth ?? grid.width * scale;
  if (!context || column <= 0) return;
  const cssWidth = Math.min(column, grid.width * scale);
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(cssWidth * ratio));
  canvas.height = Math.max(1, Math.round((cssWidth * ratio * grid.height) / grid.width));
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = 'auto';
  const source = document.createElement('canvas');
  source.width = grid.width;
  source.height = grid.height;
  source
    .getContext('2d')
    ?.putImageData(new ImageData(new Uint8ClampedArray(grid.rgba), grid.width, grid.height), 0, 0);
  context.imageSmoothingEnabled = false;
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
}

export const AugmentPreview = memo(function AugmentPreview({
  datasetId,
  backend,
}: {
  datasetId: string;
  backend: BackendPreference;
}) {
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
  const gridRef = useRef<AugmentPreviewAnswer | null>(null);
  /** The images "Another image" steps through, and the class names, once asked for. */
  const [candidates, setCandidates] = useState<{
    images: { index: number; label: number }[];
    classNames: string[];
  } | null>(null);
  const [pick, setPick] = useState(0);

  useEffect(
    () => () => {
      workerRef.current?.worker.terminate();
      workerRef.current = null;
    },
    [],
  );

  // The column changes width (a window resized, a run's panel shown): the grid follows it.
  useEffect(() => {
    const canvas = canvasRef.current;
    const column = canvas?.parentElement;
    if (!canvas || !column) return;
    const observer = new ResizeObserver(() => {
      if (gridRef.current) drawGrid(canvas, gridRef.current);
    });
    observer.observe(column);
    return () => observer.disconnect();
  }, []);

  const shown = candidates?.images[pick % Math.max(1, candidates.images.length)];

  const preview = async (nextPick = pick) => {
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
      const { api } = workerRef.current;
      let found = candidates;
      if (!found) {
        const answer = await api.gallerySamples({ datasetId, perClass: 0, scan: scanImages });
        found = { images: answer.striking.slice(0, candidateImages), classNames: answer.classNames };
        setCandidates(found);
      }
      const image = found.images[nextPick % Math.max(1, found.images.length)];
      const grid = await api.previewAugmentations({
        datasetId,
        steps,
        seed,
        backend,
        ...(image ? { imageIndex: image.index } : {}),
      });
      setPick(nextPick);
      const canvas = canvasRef.current;
      if (!canvas) return;
      gridRef.current = grid;
      drawGrid(canvas, grid);
      canvas.dataset.drawn = 'true';
      canvas.dataset.imageIndex = String(image?.index ?? 0);
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
      <div className="augment-preview-actions">
        <button
          type="button"
          className="button"
          onClick={() => void preview()}
          disabled={busy}
          data-testid="augment-preview-button"
        >
          {busy ? 'Preparing…' : 'Preview'}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => void preview(pick + 1)}
          disabled={busy || !candidates || candidates.images.length < 2}
          data-testid="augment-preview-another"
        >
          Another image
        </button>
        {shown && candidates && (
          <span className="hint" data-testid="augment-preview-image">
            Train image {shown.index} ({candidates.classNames[shown.label] ?? `class ${shown.label}`})
          </span>
        )}
      </div>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <canvas ref={canvasRef} className="augment-preview-canvas" data-testid="augment-preview-canvas" />
    </details>
  );
});
