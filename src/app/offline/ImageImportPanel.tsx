/**
 * "Import your own images": a folder (input or drop) or a zip, one sub-folder per class. Decoding
 * runs in a worker (`image-import-worker.ts`); the learner sees per-class counts, a preview grid
 * and every warning before anything is saved, then saves the dataset into IndexedDB in one
 * transaction.
 */
import * as Comlink from 'comlink';
import { useEffect, useRef, useState } from 'react';
import { saveImportedDataset } from '../../storage/imported-datasets';
import { ProgressBar } from '../components/ProgressBar';
import { describeStorageError } from '../storage/storage-error';
import { filesFromDrop, filesFromFolderInput, type PickedFile } from './dropped-files';
import type { ImageImportApi, ImportPreview, ImportProgress, ImportSource } from './image-import-host';
import { checkSettings, suggestDatasetId, type ImportSettings } from './image-import-plan';
import { errorMessage } from '../../core/shared/errors';

type Picked = { source: ImportSource; label: string; count: number } | null;

const phaseText: Record<ImportProgress['phase'], string> = {
  reading: 'Reading files',
  decoding: 'Decoding images',
  building: 'Building the dataset',
};

function pickedFiles(files: PickedFile[]): Picked {
  if (files.length === 1 && /\.zip$/i.test(files[0].file.name)) {
    const zip = files[0].file;
    return { source: { kind: 'zip', file: zip, name: zip.name }, label: zip.name, count: 1 };
  }
  const top = files[0]?.path.split('/')[0] ?? 'images';
  return { source: { kind: 'files', files }, label: top, count: files.length };
}

function SampleCanvas({ pixels, shape }: { pixels: Uint8Array; shape: [number, number, number] }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return;
    const [height, width, channels] = shape;
    const image = context.createImageData(width, height);
    for (let p = 0; p < width * height; p++) {
      for (let c = 0; c < 3; c++) image.data[p * 4 + c] = pixels[p * channels + (channels === 1 ? 0 : c)];
      image.data[p * 4 + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }, [pixels, shape]);
  return <canvas ref={ref} width={shape[1]} height={shape[0]} className="sample-canvas" />;
}

export function ImageImportPanel({ takenIds, onSaved }: { takenIds: string[]; onSaved(): void }) {
  const [picked, setPicked] = useState<Picked>(null);
  const [settings, setSettings] = useState<ImportSettings>({
    id: '',
    title: '',
    height: 64,
    width: 64,
    channels: 3,
    testFraction: 0.2,
    seed: 42,
  });
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const workerRef = useRef<Worker | null>(null);

  useEffect(() => () => workerRef.current?.terminate(), []);

  const choose = (files: PickedFile[]) => {
    const next = pickedFiles(files);
    setPicked(next);
    setPreview(null);
    setErrors(files.length === 0 ? ['The folder is empty.'] : []);
    setWarnings([]);
    setSaved(null);
    if (next) {
      const id = suggestDatasetId(next.label);
      setSettings((s) => ({ ...s, id, title: next.label.replace(/\.zip$/i, '') }));
    }
  };

  const prepare = async () => {
    if (!picked) return;
    const invalid = checkSettings(settings, takenIds);
    if (invalid) {
      setErrors([invalid]);
      return;
    }
    setErrors([]);
    setWarnings([]);
    setPreview(null);
    setSaved(null);
    workerRef.current?.terminate();
    const worker = new Worker(new URL('./image-import-worker.ts', import.meta.url), { type: 'module' });
    workerRef.current = worker;
    const api = Comlink.wrap<ImageImportApi>(worker);
    setProgress({ phase: 'reading', done: 0, total: 1 });
    // A progress message can arrive after the result (the worker posts both; Comlink delivers the
    // callback's call later): once the import is over it must not show progress again, which would
    // leave "Prepare preview" disabled.
    let over = false;
    const onProgress = (update: ImportProgress) => {
      if (!over) setProgress(update);
    };
    try {
      const result = await api.prepare(picked.source, settings, Comlink.proxy(onProgress));
      if (result.ok) {
        setWarnings(result.preview.warnings);
        setPreview(result.preview);
      } else {
        setWarnings(result.warnings);
        setErrors(result.errors);
      }
    } catch (error) {
      setErrors([`The import failed: ${errorMessage(error)}. Nothing was saved.`]);
    } finally {
      over = true;
      setProgress(null);
      worker.terminate();
      workerRef.current = null;
    }
  };

  const save = async () => {
    if (!preview) return;
    try {
      await saveImportedDataset(preview.manifest, preview.files);
      setSaved(preview.manifest.id);
      setPreview(null);
      setPicked(null);
      onSaved();
    } catch (error) {
      setErrors([`${describeStorageError(error, 'save the dataset')} Nothing was saved.`]);
    }
  };

  const number =
    (field: 'height' | 'width' | 'testFraction') => (event: React.ChangeEvent<HTMLInputElement>) =>
      setSettings((s) => ({ ...s, [field]: Number(event.target.value) }));

  return (
    <section className="settings-group image-import" data-testid="image-import">
      <h2>Import your own images</h2>
      <p className="hint">
        One sub-folder per class (the layout of Keras <code>image_dataset_from_directory</code>):{' '}
        <code>parts/good/1.jpg</code>, <code>parts/scratched/7.png</code>… PNG, JPEG and WebP. A folder or a
        zip of it. Nothing leaves this browser.
      </p>
      <div
        className={`drop-zone ${dragging ? 'dragging' : ''}`}
        data-testid="drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          void filesFromDrop(event.dataTransfer).then(choose);
        }}
      >
        <span>Drop a folder or a zip here, or</span>
        <label className="button">
          Choose a folder…
          <input
            type="file"
            data-testid="folder-input"
            hidden
            // React does not know webkitdirectory; it is passed through as an attribute.
            {...{ webkitdirectory: '', directory: '' }}
            multiple
            onChange={(event) => event.target.files && choose(filesFromFolderInput(event.target.files))}
          />
        </label>
        <label className="button">
          Choose a zip…
          <input
            type="file"
            accept=".zip,application/zip"
            data-testid="zip-input"
            hidden
            onChange={(event) => event.target.files && choose(filesFromFolderInput(event.target.files))}
          />
        </label>
      </div>
      {picked && (
        <p data-testid="picked">
          Chosen: <strong>{picked.label}</strong>
          {picked.source.kind === 'files' && ` (${picked.count} files)`}
        </p>
      )}
      <div className="import-settings">
        <label>
          Dataset id
          <input
            data-testid="import-id"
            value={settings.id}
            onChange={(event) => setSettings((s) => ({ ...s, id: event.target.value.trim() }))}
          />
        </label>
        <label>
          Title
          <input
            value={settings.title}
            onChange={(event) => setSettings((s) => ({ ...s, title: event.target.value }))}
          />
        </label>
        <label>
          Height
          <input
            type="number"
            min={8}
            max={512}
            value={settings.height}
            onChange={number('height')}
            data-testid="import-height"
          />
        </label>
        <label>
          Width
          <input
            type="number"
            min={8}
            max={512}
            value={settings.width}
            onChange={number('width')}
            data-testid="import-width"
          />
        </label>
        <label>
          Colours
          <select
            value={settings.channels}
            onChange={(event) =>
              setSettings((s) => ({ ...s, channels: Number(event.target.value) === 1 ? 1 : 3 }))
            }
          >
            <option value={3}>RGB</option>
            <option value={1}>Grayscale</option>
          </select>
        </label>
        <label>
          Test fraction
          <input
            type="number"
            min={0.05}
            max={0.9}
            step={0.05}
            value={settings.testFraction}
            onChange={number('testFraction')}
            data-testid="import-test-fraction"
          />
        </label>
      </div>
      <button
        type="button"
        className="button button-primary"
        data-testid="import-prepare"
        disabled={!picked || progress !== null}
        onClick={() => void prepare()}
      >
        Prepare preview
      </button>
      {progress && (
        <div data-testid="import-progress">
          <ProgressBar label={phaseText[progress.phase]} loaded={progress.done} total={progress.total} />
          <span className="hint">
            {progress.done} of {progress.total}
          </span>
        </div>
      )}
      {errors.map((error) => (
        <p key={error} className="notice notice-error" role="alert" data-testid="import-error">
          {error}
        </p>
      ))}
      {warnings.map((warning) => (
        <p key={warning} className="notice" data-testid="import-warning">
          {warning}
        </p>
      ))}
      {preview && (
        <div className="import-preview" data-testid="import-preview">
          <table className="data-table" data-testid="import-counts">
            <thead>
              <tr>
                <th>Class</th>
                <th>Train</th>
                <th>Test</th>
                <th>Samples</th>
              </tr>
            </thead>
            <tbody>
              {preview.counts.map((count, label) => (
                <tr key={count.name}>
                  <td>{count.name}</td>
                  <td>{count.train}</td>
                  <td>{count.test}</td>
                  <td className="sample-row">
                    {preview.samples
                      .filter((sample) => sample.label === label)
                      .map((sample, i) => (
                        <SampleCanvas key={i} pixels={sample.pixels} shape={preview.manifest.imageShape} />
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">
            {preview.manifest.splits.train.count} training and {preview.manifest.splits.test.count} test
            images of {preview.manifest.imageShape.join('×')},{' '}
            {(preview.files.reduce((s, f) => s + f.bytes.length, 0) / 1e6).toFixed(2)} MB stored.
          </p>
          <button
            type="button"
            className="button button-primary"
            data-testid="import-save"
            onClick={() => void save()}
          >
            Save as {preview.manifest.id}
          </button>
        </div>
      )}
      {saved && (
        <p className="notice" data-testid="import-saved">
          Saved. Use it from your code: <code>{`await lab.data.load('${saved}')`}</code>
        </p>
      )}
    </section>
  );
}
