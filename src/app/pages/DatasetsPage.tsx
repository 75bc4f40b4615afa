/**
 * Datasets: what the server has prepared (`/datasets/index.json`), the pretrained models of the
 * registry (sizes of bundled ones from `/models/index.json`) and what the learner imported
 * (IndexedDB), each with its size and whether it works offline; "Make available offline",
 * "Remove", the space the offline copies take, the storage used and available, persistent
 * storage, and the import of a folder or zip of the learner's own images. Each prepared dataset
 * shows a few train images of each class (components/DatasetGallery.tsx).
 */
import { useCallback, useEffect, useState } from 'react';
import { DatasetGallery } from '../components/DatasetGallery';
import { ProgressBar } from '../components/ProgressBar';
import {
  cachedState,
  cacheStorageAvailable,
  describeCacheError,
  makeAvailableOffline,
  removeFromCache,
  type CachedState,
  type DownloadProgress,
} from '../offline/dataset-cache';
import { fetchDatasetsIndex, type DatasetsIndexEntry } from '../offline/datasets-index';
import { ImageImportPanel } from '../offline/ImageImportPanel';
import { makeModelAvailableOffline } from '../offline/model-offline';
import { parseModelsIndex, type ModelsIndexEntry } from '../offline/models-index';
import { formatBytes, useStorageFigures } from '../offline/storage-estimate';
import '../offline/offline.css';
import { deleteImportedDataset, listImportedDatasets } from '../../storage/imported-datasets';
import type { StoredImportedDataset } from '../../storage/lab-db';
import { cachedModelState, removeModelFromCache, type ModelCachedState } from '../../storage/model-cache';
import { PRETRAINED_MODELS, type PretrainedEntry } from '../../core/models/registry';
import { describeStorageError } from '../storage/storage-error';
import { errorMessage } from '../../core/shared/errors';
import { DOWNLOADABLE_DATASETS, downloadNote, prepareCommand } from '../../core/datasets/downloads';
import { SAMPLE_SHEET } from '../../core/datasets/sample-sheet';

/** Sizes of the bundled models by id; empty when the index cannot be read (offline, first visit). */
async function fetchModelSizes(): Promise<Map<string, ModelsIndexEntry>> {
  const response = await fetch('/models/index.json');
  if (!response.ok) throw new Error(`models/index.json answered HTTP ${response.status}`);
  return new Map(parseModelsIndex(await response.json()).models.map((m) => [m.id, m]));
}

/** Bytes each offline copy takes, by `dataset:<id>` or `model:<id>`, as the rows report them. */
type OfflineBytes = Record<string, number>;

export function DatasetsPage() {
  const [server, setServer] = useState<DatasetsIndexEntry[] | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const [imported, setImported] = useState<StoredImportedDataset[]>([]);
  const [importedError, setImportedError] = useState<string | null>(null);
  const [modelSizes, setModelSizes] = useState<Map<string, ModelsIndexEntry>>(new Map());
  const [offlineBytes, setOfflineBytes] = useState<OfflineBytes>({});
  const storage = useStorageFigures();
  const { refresh } = storage;
  const reportBytes = useCallback(
    (key: string, bytes: number) =>
      setOfflineBytes((all) => (all[key] === bytes ? all : { ...all, [key]: bytes })),
    [],
  );

  const loadImported = useCallback(async () => {
    try {
      setImported(await listImportedDatasets());
      setImportedError(null);
    } catch (error) {
      setImportedError(describeStorageError(error, 'list your imported datasets'));
    }
    await refresh();
  }, [refresh]);

  useEffect(() => {
    fetchDatasetsIndex()
      .then(setServer)
      .catch((error: unknown) => {
        setServer([]);
        setServerError(
          `The list of prepared datasets could not be read (${errorMessage(error)}). Offline, only datasets made available offline work.`,
        );
      });
    fetchModelSizes()
      .then(setModelSizes)
      .catch(() => undefined);
    void loadImported();
  }, [loadImported]);

  return (
    <section className="page datasets-page">
      <h1>Datasets</h1>
      <StorageSummary storage={storage} offlineBytes={offlineBytes} />

      <h2>Prepared datasets</h2>
      {serverError && <p className="notice">{serverError}</p>}
      {server === null && <p className="hint">Loading…</p>}
      {server && server.length === 0 && !serverError && (
        <p className="hint">
          The server has no prepared dataset. Run <code>npx cv-lab datasets prepare fashion-mnist</code>.
        </p>
      )}
      <ul className="dataset-list">
        {server?.map((entry) => (
          <ServerDatasetRow
            key={entry.id}
            entry={entry}
            onChange={() => void refresh()}
            onCachedBytes={reportBytes}
          />
        ))}
      </ul>

      {server && <DownloadableDatasets prepared={server} />}

      <h2>Pretrained models</h2>
      <p className="hint">
        The models <code>lab.models.load(id)</code> reads. A model is kept offline once used online, or with
        its button here.
      </p>
      <ul className="dataset-list">
        {PRETRAINED_MODELS.map((entry) => (
          <ModelRow
            key={entry.id}
            entry={entry}
            indexEntry={modelSizes.get(entry.id)}
            onChange={() => void refresh()}
            onCachedBytes={reportBytes}
          />
        ))}
      </ul>

      <h2>Your imported datasets</h2>
      {importedError && <p className="notice notice-error">{importedError}</p>}
      {imported.length === 0 && <p className="hint">None yet: import a folder of your own images below.</p>}
      <ul className="dataset-list">
        {imported.map((record) => (
          <ImportedDatasetRow key={record.id} record={record} onRemoved={() => void loadImported()} />
        ))}
      </ul>

      <ImageImportPanel takenIds={server?.map((s) => s.id) ?? []} onSaved={() => void loadImported()} />
    </section>
  );
}

function sumBytes(all: OfflineBytes, prefix: string): number {
  return Object.entries(all).reduce((sum, [key, bytes]) => (key.startsWith(prefix) ? sum + bytes : sum), 0);
}

function StorageSummary({
  storage,
  offlineBytes,
}: {
  storage: ReturnType<typeof useStorageFigures>;
  offlineBytes: OfflineBytes;
}) {
  const { figures, requestPersist } = storage;
  const [asked, setAsked] = useState(false);
  const datasets = sumBytes(offlineBytes, 'dataset:');
  const models = sumBytes(offlineBytes, 'model:');
  return (
    <div className="storage-summary" data-testid="storage-summary">
      <span data-testid="offline-total">
        Offline copies: <strong>{formatBytes(datasets + models)}</strong> (prepared datasets{' '}
        {formatBytes(datasets)}, pretrained models {formatBytes(models)})
      </span>
      <span>
        Storage used: <strong>{figures.usage !== undefined ? formatBytes(figures.usage) : 'unknown'}</strong>
        {figures.quota !== undefined && <> of {formatBytes(figures.quota)} available to this site</>}
      </span>
      <span data-testid="persist-state">
        {figures.persisted === true &&
          'Persistent storage: granted (the browser will not evict it under pressure)'}
        {figures.persisted === false &&
          (asked
            ? 'Persistent storage: refused by the browser (it may evict cached data when space runs low)'
            : 'Persistent storage: not granted')}
        {figures.persisted === null && 'Persistent storage: not offered by this browser'}
      </span>
      {figures.persisted === false && (
        <button
          type="button"
          className="button"
          onClick={() => {
            setAsked(true);
            void requestPersist();
          }}
        >
          Ask for persistent storage
        </button>
      )}
    </div>
  );
}

/** A dataset's or model's offline copy: its state, "Make available offline", "Remove", progress, error. */
function OfflineCopyControls({
  testId,
  state,
  progress,
  message,
  onDownload,
  onRemove,
}: {
  testId: string;
  state: { complete: boolean; cachedBytes: number } | null;
  progress: DownloadProgress | null;
  message: string | null;
  onDownload(): void;
  onRemove(): void;
}) {
  return (
    <>
      <span className={`dataset-state ${state?.complete ? 'cached' : ''}`} data-testid={testId}>
        {state === null
          ? '…'
          : state.complete
            ? 'Available offline'
            : state.cachedBytes > 0
              ? 'Partly cached'
              : 'Online only'}
      </span>
      <div className="dataset-actions">
        {cacheStorageAvailable() && !state?.complete && (
          <button
            type="button"
            className="button button-primary"
            disabled={progress !== null}
            onClick={onDownload}
          >
            Make available offline
          </button>
        )}
        {state && state.cachedBytes > 0 && (
          <button
            type="button"
            className="button button-danger"
            disabled={progress !== null}
            onClick={onRemove}
          >
            Remove
          </button>
        )}
      </div>
      {progress && (
        <ProgressBar label={`Downloading ${progress.file}`} loaded={progress.loaded} total={progress.total} />
      )}
      {message && (
        <p className="notice notice-error" role="alert">
          {message}
        </p>
      )}
    </>
  );
}

function ServerDatasetRow({
  entry,
  onChange,
  onCachedBytes,
}: {
  entry: DatasetsIndexEntry;
  onChange(): void;
  /** Stable across renders (the row re-checks its cache when it changes). */
  onCachedBytes(key: string, bytes: number): void;
}) {
  const [state, setState] = useState<CachedState | null>(null);
  const [progress, setProgress] = useState<DownloadProgress | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const check = useCallback(async () => {
    const next = await cachedState(entry.id);
    setState(next);
    onCachedBytes(`dataset:${entry.id}`, next.cachedBytes);
  }, [entry.id, onCachedBytes]);
  useEffect(() => {
    void check();
  }, [check]);

  const download = async () => {
    setMessage(null);
    setProgress({ loaded: 0, total: entry.bytes, file: '' });
    try {
      await makeAvailableOffline(entry.id, setProgress);
    } catch (error) {
      setMessage(describeCacheError(error, entry.id, await cachedState(entry.id)));
    }
    setProgress(null);
    await check();
    onChange();
  };
  const remove = async () => {
    if (
      !window.confirm(`Remove the offline copy of ${entry.title}? It downloads again when next used online.`)
    )
      return;
    await removeFromCache(entry.id);
    await check();
    onChange();
  };

  return (
    <li className="dataset-row" data-dataset-id={entry.id}>
      <div className="dataset-main">
        <strong>{entry.title}</strong> <code>{entry.id}</code>
        <div className="hint">
          {entry.classCount} classes · {entry.imageShape.join('×')} · {entry.trainCount.toLocaleString('en')}{' '}
          train / {entry.testCount.toLocaleString('en')} test · {formatBytes(entry.bytes)}
        </div>
      </div>
      <OfflineCopyControls
        testId="dataset-state"
        state={state}
        progress={progress}
        message={message}
        onDownload={() => void download()}
        onRemove={() => void remove()}
      />
      <DatasetGallery datasetId={entry.id} perClass={galleryPerClass} />
    </li>
  );
}

/** Train images shown of each class of a prepared dataset: all its sample sheet holds. */
const galleryPerClass = SAMPLE_SHEET.perClass;

function ModelRow({
  entry,
  indexEntry,
  onChange,
  onCachedBytes,
}: {
  entry: PretrainedEntry;
  /** The build's sizes (bundled models only). */
  indexEntry: ModelsIndexEntry | undefined;
  onChange(): void;
  /** Stable across renders (the row re-checks its cache when it changes). */
  onCachedBytes(key: string, bytes: number): void;
}) {
  const [state, setState] = useState<ModelCachedState | null>(null);
  const [progress, setProgress] = useState<DownloadProgress | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const check = useCallback(async () => {
    const next = await cachedModelState(entry, location.origin);
    setState(next);
    onCachedBytes(`model:${entry.id}`, next.cachedBytes);
  }, [entry, onCachedBytes]);
  useEffect(() => {
    void check();
  }, [check]);

  const download = async () => {
    setMessage(null);
    setProgress({ loaded: 0, total: indexEntry?.bytes ?? 0, file: '' });
    try {
      await makeModelAvailableOffline(entry, setProgress, { expectedBytes: indexEntry?.bytes });
    } catch (error) {
      setMessage(describeCacheError(error, entry.id, await cachedModelState(entry, location.origin)));
    }
    setProgress(null);
    await check();
    onChange();
  };
  const remove = async () => {
    const again =
      entry.source.kind === 'url'
        ? ' It downloads again when next used online, and its files are then trusted anew.'
        : ' It downloads again when next used online.';
    if (!window.confirm(`Remove the offline copy of ${entry.id}?${again}`)) return;
    await removeModelFromCache(entry, location.origin);
    await check();
    onChange();
  };

  const size = indexEntry
    ? formatBytes(indexEntry.bytes)
    : state?.complete
      ? formatBytes(state.cachedBytes)
      : 'size known after the first download';
  return (
    <li className="dataset-row" data-model-id={entry.id}>
      <div className="dataset-main">
        <strong>{entry.title}</strong> <code>{entry.id}</code>
        <div className="hint" data-testid="model-details">
          {entry.source.kind === 'bundled' ? (
            'Bundled with the app'
          ) : (
            <>
              Published at <code>{entry.source.url}</code>
            </>
          )}{' '}
          · {entry.inputShape.join('×')} input · {size}
        </div>
      </div>
      <OfflineCopyControls
        testId="model-state"
        state={state}
        progress={progress}
        message={message}
        onDownload={() => void download()}
        onRemove={() => void remove()}
      />
    </li>
  );
}

function ImportedDatasetRow({ record, onRemoved }: { record: StoredImportedDataset; onRemoved(): void }) {
  const [message, setMessage] = useState<string | null>(null);
  const { manifest } = record;
  const remove = async () => {
    if (
      !window.confirm(
        `Delete your imported dataset ${manifest.title} from this browser? This cannot be undone.`,
      )
    )
      return;
    try {
      await deleteImportedDataset(record.id);
      onRemoved();
    } catch (error) {
      setMessage(describeStorageError(error, 'delete the dataset'));
    }
  };
  return (
    <li className="dataset-row" data-dataset-id={record.id}>
      <div className="dataset-main">
        <strong>{manifest.title}</strong> <code>{record.id}</code>
        <div className="hint">
          {manifest.classNames.length} classes ({manifest.classNames.join(', ')}) ·{' '}
          {manifest.imageShape.join('×')} · {manifest.splits.train.count} train / {manifest.splits.test.count}{' '}
          test · {formatBytes(record.bytes)}
        </div>
        <div className="hint">
          Use it in code: <code>{`await lab.data.load('${record.id}')`}</code>
        </div>
      </div>
      <span className="dataset-state cached">On this device</span>
      <div className="dataset-actions">
        <button type="button" className="button button-danger" onClick={() => void remove()}>
          Remove
        </button>
      </div>
      {message && <p className="notice notice-error">{message}</p>}
    </li>
  );
}

/**
 * The course's datasets the server has not prepared: what each downloads and the command that does
 * it (the CLI downloads, checks and prepares them; docs/offline.md says why not the page).
 */
function DownloadableDatasets({ prepared }: { prepared: DatasetsIndexEntry[] }) {
  const absent = DOWNLOADABLE_DATASETS.filter((d) => !prepared.some((entry) => entry.id === d.id));
  if (absent.length === 0) return null;
  return (
    <>
      <h3>Downloadable datasets not prepared here</h3>
      <p className="hint">
        The course&apos;s photo sets are downloads. Where the app is served, the command downloads them once
        (with progress, resuming an interrupted download), checks their SHA-256 and prepares them; reload this
        page afterwards.
      </p>
      <ul className="dataset-list" data-testid="downloadable-datasets">
        {absent.map((d) => (
          <li key={d.id} className="dataset-row" data-dataset-id={d.id}>
            <strong>{d.id}</strong>: {downloadNote(d.id)} · <code>{prepareCommand(d.id)}</code>
          </li>
        ))}
      </ul>
    </>
  );
}
