/**
 * Backup: everything this browser holds for CV Lab (drafts, results, trained models, imported sets
 * and datasets) to one file, and that file back in on another machine with a summary of what was
 * merged. Importing never deletes local data, and is all or nothing (`importBackup`).
 */
import { useState } from 'react';
import { backupFileName } from '../storage/backup-format';
import '../offline/offline.css';
import {
  downloadBackup,
  exportBackup,
  importBackup,
  MAX_BACKUP_BYTES,
  type ImportSummary,
} from '../storage/backup';
import { useResultsStore } from '../stores/results-store';
import { errorMessage } from '../../core/shared/errors';

const storeLabels: Record<string, string> = {
  'cv-lab/drafts': 'Drafts',
  'cv-lab/results': 'Results',
  'cv-lab/importedDatasets': 'Imported datasets',
  'cv-lab/importedDatasetFiles': 'Imported dataset files',
  'cv-lab-teams/sets': 'Exercise sets',
  'cv-lab-teams/attempts': 'Set attempts (submissions)',
  'cv-lab-teams/exams': 'Exam clocks',
  'tensorflowjs/models_store': 'Trained models',
  'tensorflowjs/model_info_store': 'Trained model details',
};

export function BackupPage() {
  const [busy, setBusy] = useState(false);
  const [exported, setExported] = useState<string | null>(null);
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const [error, setError] = useState<string | null>(null);

  const doExport = async () => {
    setBusy(true);
    setError(null);
    try {
      const backup = await exportBackup();
      const name = backupFileName(new Date());
      downloadBackup(backup, name);
      const records = backup.databases.flatMap((d) => d.stores).reduce((n, s) => n + s.records.length, 0);
      setExported(
        `Saved ${name}: ${records} records from ${backup.databases.length} database${backup.databases.length === 1 ? '' : 's'}.`,
      );
    } catch (thrown) {
      setError(`The backup could not be made: ${errorMessage(thrown)}`);
    } finally {
      setBusy(false);
    }
  };

  const doImport = async (file: File) => {
    setBusy(true);
    setError(null);
    setSummary(null);
    try {
      // Bounded before it is read: a backup is parsed whole, and a tab has a few gigabytes at most.
      if (file.size > MAX_BACKUP_BYTES) {
        throw new Error(
          `${file.name} is ${Math.round(file.size / 2 ** 20)} MB, more than the ${MAX_BACKUP_BYTES / 2 ** 20} MB a backup may be; nothing was changed.`,
        );
      }
      setSummary(await importBackup(await file.text()));
      // Imported results (and the models kept with them) show at once on the exercise pages.
      await useResultsStore.getState().load();
    } catch (thrown) {
      setError(errorMessage(thrown));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="page backup-page">
      <h1>Backup</h1>
      <p className="lead">
        Your drafts, results, trained models, imported sets and datasets live in this browser only. Save them
        to one file, and load that file in another browser or on another machine.
      </p>
      <section className="settings-group">
        <h2>Export</h2>
        <button
          type="button"
          className="button button-primary"
          data-testid="backup-export"
          disabled={busy}
          onClick={() => void doExport()}
        >
          Export everything
        </button>
        {exported && (
          <p className="hint" data-testid="backup-exported">
            {exported}
          </p>
        )}
      </section>
      <section className="settings-group">
        <h2>Import</h2>
        <p className="hint">
          Merges into what is here and never deletes: records you lack are added, a record saved later in the
          backup replaces yours, everything else stays as it is. All or nothing: a backup with anything wrong
          in it, or one that cannot be written whole, changes nothing.
        </p>
        <input
          type="file"
          accept=".json,application/json"
          data-testid="backup-import"
          disabled={busy}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void doImport(file);
          }}
        />
      </section>
      {error && (
        <p className="notice notice-error" role="alert" data-testid="backup-error">
          {error}
        </p>
      )}
      {summary && (
        <section className="settings-group" data-testid="backup-summary">
          <h2>Imported</h2>
          <table className="data-table backup-summary">
            <thead>
              <tr>
                <th>What</th>
                <th>New</th>
                <th>Updated</th>
                <th>Kept</th>
              </tr>
            </thead>
            <tbody>
              {summary.stores.map((s) => (
                <tr key={`${s.database}/${s.store}`} data-store={`${s.database}/${s.store}`}>
                  <td>{storeLabels[`${s.database}/${s.store}`] ?? `${s.store} (${s.database})`}</td>
                  <td>{s.new}</td>
                  <td>{s.updated}</td>
                  <td>{s.kept}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {summary.skipped.map((line) => (
            <p key={line} className="notice">
              {line}
            </p>
          ))}
          <p className="hint">
            Imported results show at once; reload other open tabs to see what this one imported.
          </p>
        </section>
      )}
    </section>
  );
}
