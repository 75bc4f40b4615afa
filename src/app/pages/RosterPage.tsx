import { useState } from 'react';
import { rosterToCsv } from '../../core/grading/roster';
import type { CvSet } from '../../core/exercises/set';
import { findExercise } from '../catalog';
import { ReportView } from '../components/ReportView';
import { routeHref } from '../routing';
import { downloadText } from '../download';
import { FileDrop } from '../teams/FileDrop';
import { rosterGrid, rosterRowsForExport, type RosterEntry } from '../teams/roster-table';
import { useRosterStore } from '../teams/roster-store';
import { fileSlug } from '../teams/set-progress';

function CellSummary({ entry }: { entry: RosterEntry }) {
  const row = entry.row;
  const stored = entry.submission?.report;
  if (entry.state === 'grading') return <span className="muted">re-grading…</span>;
  if (entry.state === 'unchecked' && stored) {
    return (
      <>
        <span className="roster-status roster-unchecked">not re-graded</span>
        <span className="muted">claims {stored.passed ? 'pass' : 'fail'}</span>
      </>
    );
  }
  if (!row) return <span className="roster-status roster-error">error</span>;
  return (
    <>
      <span className={`roster-status roster-${row.status}`} data-testid="roster-status">
        {row.status}
      </span>
      {row.value !== null && (
        <span>
          {row.metric} {row.value.toFixed(4)}
        </span>
      )}
      {row.trainSeconds !== null && <span className="muted">{row.trainSeconds.toFixed(1)} s</span>}
      {row.backend && <span className="muted">{row.backend}</span>}
      {row.flags.length > 0 && (
        <span className="roster-flags" data-testid="roster-flags">
          ⚑ {row.flags.map((f) => f.code).join(', ')}
        </span>
      )}
    </>
  );
}

/** The lead's roster: submissions in, re-graded in a worker, learners × exercises, CSV out. */
export function RosterPage() {
  const store = useRosterStore();
  const [selected, setSelected] = useState<number | null>(null);
  const grid = rosterGrid(store.entries, store.set?.exercises.map((e) => e.id) ?? []);
  const selectedEntry = store.entries.find((e) => e.id === selected);
  const unchecked = store.entries.filter((e) => e.submission && e.state === 'unchecked').length;

  return (
    <section className="page roster-page">
      <h1>Roster</h1>
      <p className="lead">
        Drop the learners&rsquo; <code>.cvsub.json</code> files. &ldquo;Re-grade&rdquo; rebuilds every model
        and grades it here, on your test data (the set&rsquo;s private test when the set has one), and flags
        what does not add up. Files never leave this browser. <a href={routeHref.setBuilder}>Build a set</a>.
      </p>
      <div className="import-row">
        <FileDrop
          onFiles={(files) => void store.addFiles(files)}
          accept=".json"
          multiple
          testId="roster-file-input"
        >
          Drop submissions (<strong>.cvsub.json</strong>) here, or choose files:
        </FileDrop>
        <FileDrop
          onFiles={(files) => files[0] && void store.loadSet(files[0])}
          accept=".json"
          testId="roster-set-input"
        >
          Optional: your set (<strong>.cvset.json</strong>, with its private test):
          {store.set && (
            <div data-testid="roster-set">
              {store.set.title} ({store.setFile}){store.set.privateTest ? ', private test attached' : ''}
              {privateCaseText(store.set)}{' '}
              <button type="button" className="link-button" onClick={store.clearSet}>
                remove
              </button>
            </div>
          )}
        </FileDrop>
      </div>
      {store.setError && (
        <p className="notice notice-error" role="alert">
          {store.setError}
        </p>
      )}

      <div className="toolbar">
        <button
          type="button"
          className="button button-primary"
          data-testid="regrade-all"
          disabled={store.grading || !store.entries.some((e) => e.submission)}
          onClick={() => void store.regrade()}
        >
          {store.grading ? 'Re-grading…' : `Re-grade${unchecked ? ` (${unchecked} new)` : ' all'}`}
        </button>
        {store.grading && (
          <button
            type="button"
            className="button"
            data-testid="stop-regrade"
            onClick={() => store.stopRegrade()}
          >
            Stop
          </button>
        )}
        <button
          type="button"
          className="button"
          data-testid="export-csv"
          disabled={store.entries.length === 0}
          onClick={() =>
            downloadText(
              `${fileSlug(store.set?.title ?? 'roster')}.roster.csv`,
              rosterToCsv(rosterRowsForExport(store.entries)),
              'text/csv',
            )
          }
        >
          Export CSV
        </button>
        <button
          type="button"
          className="button"
          disabled={store.grading || store.entries.length === 0}
          onClick={() => {
            store.clear();
            setSelected(null);
          }}
        >
          Clear
        </button>
      </div>

      {grid.learners.length > 0 && (
        <div className="table-scroll">
          <table className="data-table roster-table" data-testid="roster-table">
            <thead>
              <tr>
                <th>Learner</th>
                {grid.exercises.map((id) => (
                  <th key={id}>{findExercise(id)?.exercise.title ?? id}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {grid.learners.map((learner) => (
                <tr key={learner}>
                  <th scope="row">{learner}</th>
                  {grid.exercises.map((exerciseId) => {
                    const entry = grid.cell(learner, exerciseId);
                    return (
                      <td key={exerciseId} className={entry?.id === selected ? 'selected' : undefined}>
                        {entry ? (
                          <button
                            type="button"
                            className="roster-cell"
                            data-testid="roster-cell"
                            data-learner={learner}
                            data-exercise={exerciseId}
                            onClick={() => setSelected(entry.id)}
                          >
                            <CellSummary entry={entry} />
                          </button>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {grid.unreadable.length > 0 && (
        <div className="notice notice-error" role="alert" data-testid="roster-errors">
          <strong>Files that could not be read:</strong>
          <ul>
            {grid.unreadable.map((entry) => (
              <li key={entry.id}>
                <code>{entry.file}</code>: {entry.error}{' '}
                <button type="button" className="link-button" onClick={() => store.remove(entry.id)}>
                  dismiss
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}

      {selectedEntry?.submission && (
        <section className="roster-detail" data-testid="roster-detail" aria-label="Submission">
          <h2>
            {selectedEntry.submission.learner.name} ·{' '}
            {findExercise(selectedEntry.submission.exerciseId)?.exercise.title ??
              selectedEntry.submission.exerciseId}
          </h2>
          <p className="muted">
            {selectedEntry.file} · submitted {new Date(selectedEntry.submission.createdAt).toLocaleString()} ·
            trained on {selectedEntry.submission.environment.backend} ·{' '}
            {selectedEntry.submission.environment.userAgent}
          </p>
          <div className="toolbar">
            <button
              type="button"
              className="button"
              disabled={store.grading}
              onClick={() => void store.regrade([selectedEntry.id])}
            >
              Re-grade this one
            </button>
          </div>
          {selectedEntry.error && <p className="notice notice-error">{selectedEntry.error}</p>}
          {selectedEntry.row && selectedEntry.row.flags.length > 0 && (
            <ul className="notice notice-warn" data-testid="roster-detail-flags">
              {selectedEntry.row.flags.map((flag) => (
                <li key={flag.code + flag.message}>
                  <strong>{flag.code}</strong>: {flag.message}
                </li>
              ))}
            </ul>
          )}
          {selectedEntry.row?.report ? (
            <>
              <h3>Re-grade</h3>
              <ReportView report={selectedEntry.row.report} history={selectedEntry.submission.history} />
            </>
          ) : (
            <>
              <h3>Report stored in the file (not re-graded: not to be trusted yet)</h3>
              <ReportView
                report={selectedEntry.submission.report}
                history={selectedEntry.submission.history}
              />
            </>
          )}
          <details>
            <summary>Code</summary>
            <pre className="code-view">{selectedEntry.submission.code}</pre>
          </details>
        </section>
      )}
    </section>
  );
}

/** The lead's private cases in the set, over all its function exercises, as a phrase. */
function privateCaseText(set: CvSet): string {
  const count = set.exercises.reduce((sum, entry) => sum + (entry.privateCases?.length ?? 0), 0);
  return count ? `, ${count} private case${count === 1 ? '' : 's'}` : '';
}
