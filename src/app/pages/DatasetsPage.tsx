/**
 * Datasets: what the server has prepared (`/datasets/index.json`) and what the learner imported
 * (IndexedDB), each with its size and whether it works offline; "Make available offline",
 * "Remove", the storage used and available, persistent storage, and the import of a folder or
 * zip of the learner's own images.
 */
import { useCallback, useEffect, useState } from 'react';
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
import { parseDatasetsIndex, type DatasetsIndexEntry } from '../offline/datasets-index';
import { ImageImportPanel } from '../offline/ImageImportPanel';
import { formatBytes, useStorageFigures } from '../offline/storage-estimate';
import '../offline/offline.css';
import { deleteImportedDataset, listImportedDatasets } from '../../storage/imported-datasets';
import type { StoredImportedDataset } from '../../storage/lab-db';
import { describeStorageError } from '../storage/storage-error';

async function fetchServerDatasets(): Promise<DatasetsIndexEntry[]> {
  const response = await fetch('/datasets/index.json');
  if (!response.ok) throw new Error(`datasets/index.json answered HTTP ${response.status}`);
  return parseDatasetsIndex(await response.json()).datasets;
}

export function DatasetsPage() {
  const [server, setServer] = useState<DatasetsIndexEntry[] | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const [imported, setImported] = useState<StoredImportedDataset[]>([]);
  const [importedError, setImportedError] = useState<string | null>(null);
  const storage = useStorageFigures();
  const { refresh } = storage;

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
    fetchServerDatasets()
      .then(setServer)
      .catch((error: unknown) => {
        setServer([]);
        setServerError(
          `The list of prepared datasets could not be read (${error instanceof Error ? error.message : error}). Offline, only datasets made available offline work.`,
        );
      });
    void loadImported();
  }, [loadImported]);

  return (
    <section className="page datasets-page">
      <h1>Datasets</h1>
      <StorageSummary storage={storage} />

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
          <ServerDatasetRow key={entry.id} entry={entry} onChange={() => void refresh()} />
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

function StorageSummary({ storage }: { storage: ReturnType<typeof useStorageFigures> }) {
  const { figures, requestPersist } = storage;
  const [asked, setAsked] = useState(false);
  return (
    <div className="storage-summary" data-testid="storage-summary">
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

function ServerDatasetRow({ entry, onChange }: { entry: DatasetsIndexEntry; onChange(): void }) {
  const [state, setState] = useState<CachedState | null>(null);
  const [progress, setProgress] = useState<DownloadProgress | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const check = useCallback(async () => setState(await cachedState(entry.id)), [entry.id]);
  useEffect(() => {
    void check();
  }, [check]);

  const download = async () => {
    setMessage(null);
    setProgress({ loaded: 0, total: entry.bytes, file: '' });
    try {
      await makeAvailableOffline(entry.id, setProgress);
    } catch (error) {
      setMessage(describeCacheError(error, entry.id));
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
      <span className={`dataset-state ${state?.complete ? 'cached' : ''}`} data-testid="dataset-state">
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
            onClick={() => void download()}
          >
            Make available offline
          </button>
        )}
        {state && state.cachedBytes > 0 && (
          <button
            type="button"
            className="button button-danger"
            disabled={progress !== null}
            onClick={() => void remove()}
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
