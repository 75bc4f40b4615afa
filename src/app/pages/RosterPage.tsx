import { useEffect, useState } from 'react';
import {
  rosterToCsv,
  rosterToGradebookCsv,
  rosterToHtml,
  rosterToJson,
  rowVerdict,
  type RosterReportContext,
} from '../../core/grading/roster';
import type { CvSet } from '../../core/exercises/set';
import { exerciseCards, findExercise } from '../catalog';
import { ReportView } from '../components/ReportView';
import { routeHref } from '../routing';
import { downloadText } from '../download';
import { FileDrop } from '../teams/FileDrop';
import {
  cellKey,
  rosterGrid,
  rosterRowsForExport,
  type RosterCell,
  type RosterEntry,
} from '../teams/roster-table';
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
      <span className={`roster-status roster-${rowVerdict(row)}`} data-testid="roster-status">
        {rowVerdict(row) === 'flagged' ? `${row.status}, flagged` : row.status}
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
      {row.reproduction?.reproduced && (
        <span className="roster-pass" data-testid="roster-reproduced">
          ✓ reproduced
        </span>
      )}
    </>
  );
}

/** A cell: how many attempts, the latest one's state, the best clean score, and flagged ones. */
function CellView({ cell }: { cell: RosterCell }) {
  return (
    <>
      <CellSummary entry={cell.latest} />
      {cell.attempts.length > 1 && (
        <span className="muted" data-testid="roster-attempts">
          {cell.attempts.length} attempts
          {cell.best ? ` · best ${cell.best.row!.score?.toFixed(1) ?? '—'} (${cell.best.row!.status})` : ''}
        </span>
      )}
      {cell.flagged.length > 0 && !cell.latest.row?.flags.length && (
        <span className="roster-flags" data-testid="roster-flagged-attempts">
          ⚑ {cell.flagged.length} flagged attempt{cell.flagged.length === 1 ? '' : 's'}
        </span>
      )}
    </>
  );
}

/** The lead's roster: submissions in, re-graded in a worker, learners × exercises, CSV out. */
export function RosterPage() {
  const store = useRosterStore();
  const [selected, setSelected] = useState<string | null>(null);
  useEffect(() => {
    void useRosterStore.getState().init();
  }, []);
  const grid = rosterGrid(store.entries, store.set?.exercises.map((e) => e.id) ?? []);
  const selectedEntry = store.entries.find((e) => e.id === selected);
  const selectedCell = selectedEntry?.submission
    ? grid.cell(selectedEntry.submission.learner.name, selectedEntry.submission.exerciseId)
    : undefined;
  const unchecked = store.entries.filter((e) => e.submission && e.state === 'unchecked').length;
  const context = (): RosterReportContext => ({
    set: store.set,
    difficulties: exerciseCards.map((c) => c.exercise),
    exerciseTitles: Object.fromEntries(exerciseCards.map((c) => [c.exercise.id, c.exercise.title])),
  });
  const slug = fileSlug(store.set?.title ?? 'roster');
  const rows = () => rosterRowsForExport(store.entries, store.comments);
  const exports = [
    { id: 'csv', label: 'CSV', file: `${slug}.roster.csv`, type: 'text/csv', write: rosterToCsv },
    { id: 'html', label: 'HTML', file: `${slug}.roster.html`, type: 'text/html', write: rosterToHtml },
    { id: 'json', label: 'JSON', file: `${slug}.roster.json`, type: 'application/json', write: rosterToJson },
    {
      id: 'gradebook',
      label: 'Gradebook CSV',
      file: `${slug}.gradebook.csv`,
      type: 'text/csv',
      write: rosterToGradebookCsv,
    },
  ];

  return (
    <section className="page roster-page">
      <h1>Roster</h1>
      <p className="lead">
        Drop the learners&rsquo; <code>.cvsub.json</code> files. &ldquo;Re-grade&rdquo; rebuilds every model
        and grades it here, on your test data (the set&rsquo;s private test when the set has one), and flags
        what does not add up. &ldquo;Re-grade and reproduce&rdquo; also trains each training
        submission&rsquo;s code again with its recorded seed, to prove the model came from that code. Files
        never leave this browser. <a href={routeHref.setBuilder}>Build a set</a>.
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
              <button type="button" className="link-button" onClick={() => void store.clearSet()}>
                remove
              </button>
            </div>
          )}
        </FileDrop>
      </div>
      {store.rosters.length > 1 && (
        <label className="roster-picker">
          Roster:{' '}
          <select
            data-testid="roster-picker"
            value={store.rosterKey}
            disabled={store.grading}
            onChange={(event) => {
              setSelected(null);
              void store.open(event.target.value);
            }}
          >
            {store.rosters.map((r) => (
              <option key={r.key} value={r.key}>
                {r.title}
              </option>
            ))}
          </select>
        </label>
      )}
      {store.storageError && (
        <p className="notice notice-error" role="alert">
          {store.storageError}
        </p>
      )}
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
        <button
          type="button"
          className="button"
          data-testid="reproduce-all"
          title="Also train each training submission's code again, with its recorded seed and backend, and flag a model its code does not give (one training run per submission)"
          disabled={store.grading || !store.entries.some((e) => e.submission && isTraining(e))}
          onClick={() => void store.regrade(undefined, { reproduce: true })}
        >
          Re-grade and reproduce
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
        {exports.map((format) => (
          <button
            key={format.id}
            type="button"
            className="button"
            data-testid={`export-${format.id}`}
            disabled={store.entries.length === 0}
            onClick={() => downloadText(format.file, format.write(rows(), context()), format.type)}
          >
            Export {format.label}
          </button>
        ))}
        <button
          type="button"
          className="button"
          disabled={store.grading || store.entries.length === 0}
          onClick={() => {
            if (!window.confirm('Remove every submission, grade and comment of this roster?')) return;
            void store.clear();
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
                    const cell = grid.cell(learner, exerciseId);
                    const isSelected = cell?.attempts.some((a) => a.id === selected);
                    return (
                      <td key={exerciseId} className={isSelected ? 'selected' : undefined}>
                        {cell ? (
                          <button
                            type="button"
                            className="roster-cell"
                            data-testid="roster-cell"
                            data-learner={learner}
                            data-exercise={exerciseId}
                            onClick={() => setSelected(cell.latest.id)}
                          >
                            <CellView cell={cell} />
                            {store.comments[cellKey(learner, exerciseId)] && (
                              <span className="muted" title={store.comments[cellKey(learner, exerciseId)]}>
                                ✎ comment
                              </span>
                            )}
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
                <button type="button" className="link-button" onClick={() => void store.remove(entry.id)}>
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
          {selectedCell && selectedCell.attempts.length > 1 && (
            <ol className="roster-attempts" data-testid="roster-attempt-list">
              {selectedCell.attempts.map((attempt) => (
                <li key={attempt.id}>
                  <button
                    type="button"
                    className={`link-button${attempt.id === selectedEntry.id ? ' selected' : ''}`}
                    data-testid="roster-attempt"
                    aria-current={attempt.id === selectedEntry.id}
                    onClick={() => setSelected(attempt.id)}
                  >
                    {new Date(attempt.submission!.createdAt).toLocaleString()}
                  </button>{' '}
                  <CellSummary entry={attempt} />
                  {attempt === selectedCell.best && <span className="muted"> (best)</span>}
                  {attempt === selectedCell.latest && <span className="muted"> (latest)</span>}
                </li>
              ))}
            </ol>
          )}
          <div className="toolbar">
            <button
              type="button"
              className="button"
              disabled={store.grading}
              onClick={() => void store.regrade([selectedEntry.id])}
            >
              Re-grade this one
            </button>
            {isTraining(selectedEntry) && (
              <button
                type="button"
                className="button"
                data-testid="reproduce-one"
                disabled={store.grading}
                onClick={() => void store.regrade([selectedEntry.id], { reproduce: true })}
              >
                Reproduce: train its code again
              </button>
            )}
          </div>
          <label className="roster-comment">
            Your comment on this learner&rsquo;s {selectedEntry.submission.exerciseId} (kept here and written
            into the exports):
            <textarea
              key={cellKey(selectedEntry.submission.learner.name, selectedEntry.submission.exerciseId)}
              data-testid="roster-comment"
              rows={2}
              maxLength={5000}
              defaultValue={
                store.comments[
                  cellKey(selectedEntry.submission.learner.name, selectedEntry.submission.exerciseId)
                ] ?? ''
              }
              onBlur={(event) =>
                void store.setComment(
                  selectedEntry.submission!.learner.name,
                  selectedEntry.submission!.exerciseId,
                  event.target.value,
                )
              }
            />
          </label>
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
          {selectedEntry.state === 'done' && selectedEntry.row?.reproduction && (
            <p
              className={selectedEntry.row.reproduction.reproduced ? 'notice' : 'notice notice-warn'}
              data-testid="roster-reproduction"
            >
              <strong>{selectedEntry.row.reproduction.reproduced ? 'Reproduced' : 'Not reproduced'}</strong>:{' '}
              {selectedEntry.row.reproduction.summary}
            </p>
          )}
          {selectedEntry.state === 'done' && selectedEntry.row?.report ? (
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

/** Whether an entry is a training submission: one whose code "reproduce" can train again. */
function isTraining(entry: RosterEntry): boolean {
  const id = entry.submission?.exerciseId;
  return id !== undefined && findExercise(id)?.exercise.kind === 'train';
}

/** The lead's private cases in the set, over all its function exercises, as a phrase. */
function privateCaseText(set: CvSet): string {
  const count = set.exercises.reduce((sum, entry) => sum + (entry.privateCases?.length ?? 0), 0);
  return count ? `, ${count} private case${count === 1 ? '' : 's'}` : '';
}
