import { useCallback, useEffect, useMemo, useRef } from 'react';
import { findExercise } from '../catalog';
import { BackendBadge } from '../components/BackendBadge';
import { EpochTable } from '../components/EpochTable';
import { LogPanel } from '../components/LogPanel';
import { Markdown } from '../components/Markdown';
import { ProgressBar } from '../components/ProgressBar';
import { ReportView } from '../components/ReportView';
import { ResultBadge } from '../components/ResultBadge';
import { TrainingCharts } from '../components/TrainingCharts';
import { CodeEditor, type CodeEditorHandle, type EditorMarker } from '../editor/CodeEditor';
import { routeHref } from '../routing';
import { describeError, type RunStatus } from '../run/run-view';
import { useDraft, type DraftSaveState } from '../storage/use-draft';
import { useResultsStore } from '../stores/results-store';
import { useRunStore } from '../stores/run-store';
import { useSettingsStore } from '../stores/settings-store';

const saveStateText: Record<DraftSaveState, string> = {
  loading: 'Loading draft…',
  saved: 'Draft saved',
  pending: 'Unsaved changes',
  saving: 'Saving…',
  failed: 'Not saved',
};

const statusText: Record<RunStatus, string> = {
  idle: 'Ready',
  running: 'Running',
  graded: 'Graded',
  error: 'Failed with an error',
  stopped: 'Stopped',
  timeout: 'Stopped: time limit',
};

export function ExercisePage({ exerciseId }: { exerciseId: string }) {
  const bundle = findExercise(exerciseId);
  if (!bundle) {
    return (
      <section className="page">
        <h1>No such exercise</h1>
        <p>
          There is no exercise called <code>{exerciseId}</code>.{' '}
          <a href={routeHref.catalog}>See all exercises</a>.
        </p>
      </section>
    );
  }
  return <ExerciseWorkspace bundle={bundle} />;
}

function ExerciseWorkspace({ bundle }: { bundle: NonNullable<ReturnType<typeof findExercise>> }) {
  const { exercise } = bundle;
  const draft = useDraft(exercise.id, bundle.starter);
  const editorRef = useRef<CodeEditorHandle>(null);
  const backend = useSettingsStore((s) => s.backend);
  const storedResult = useResultsStore((s) => s.results[exercise.id]);
  const run = useRunStore();
  const runIsHere = run.exerciseId === exercise.id;
  const runningElsewhere = run.status === 'running' && !runIsHere;
  const running = run.status === 'running' && runIsHere;
  const view = runIsHere ? run : null;
  const report = view?.report ?? (view && view.status !== 'idle' ? null : (storedResult?.report ?? null));

  useEffect(() => {
    run.warm();
    // Warm once per page; `run` changes on every event.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const errorMarker = useMemo<EditorMarker | null>(() => {
    const error = view?.error;
    if (!error || error.line === undefined) return null;
    return { line: error.line, column: error.column, message: error.message };
  }, [view?.error]);

  const startRun = useCallback(async () => {
    await draft.flush();
    await useRunStore.getState().start(bundle, draft.codeRef.current, backend);
  }, [bundle, backend, draft]);

  const resetToStarter = useCallback(() => {
    if (
      !window.confirm(
        'Replace your code with the starter code? Your current code will be lost (Ctrl+Z in the editor can undo it).',
      )
    ) {
      return;
    }
    editorRef.current?.setCode(bundle.starter);
    draft.update(bundle.starter);
  }, [bundle.starter, draft]);

  return (
    <div className="exercise-page">
      <div className="exercise-header">
        <div>
          <a className="back-link" href={routeHref.catalog}>
            ← Exercises
          </a>
          <h1>{exercise.title}</h1>
          <p className="exercise-meta-line">
            {exercise.category} · {exercise.difficulty}
            {exercise.dataset ? ` · ${exercise.dataset}` : ''}
            {exercise.expectedMinutes !== undefined
              ? ` · about ${exercise.expectedMinutes} min of training`
              : ''}
            {` · time limit ${Math.round(exercise.limits.timeSeconds / 60)} min`}
          </p>
        </div>
        <ResultBadge result={storedResult} />
      </div>

      <div className="workspace">
        <aside className="brief-panel">
          <Markdown source={bundle.brief} className="brief" />
          {bundle.hints && (
            <details className="hints">
              <summary>Hints</summary>
              <Markdown source={bundle.hints} />
            </details>
          )}
        </aside>

        <section className="editor-panel">
          <div className="toolbar">
            <button
              type="button"
              className="button button-primary"
              onClick={() => void startRun()}
              disabled={run.status === 'running' || draft.initialCode === null}
              data-testid="run-button"
            >
              ▶ Run
            </button>
            <button
              type="button"
              className="button button-danger"
              onClick={() => run.stop()}
              disabled={!running}
              data-testid="stop-button"
            >
              ■ Stop
            </button>
            <button
              type="button"
              className="button"
              onClick={resetToStarter}
              disabled={draft.initialCode === null}
            >
              Reset to starter
            </button>
            <BackendBadge info={view?.backend ?? null} pinned={backend} />
            <span
              className={`run-status status-${view?.status ?? 'idle'}`}
              data-testid="run-status"
              role="status"
            >
              {statusText[view?.status ?? 'idle']}
              {running && view?.phaseMessage ? `: ${view.phaseMessage}` : ''}
            </span>
            <span className={`save-state save-${draft.saveState}`} data-testid="save-state">
              {saveStateText[draft.saveState]}
            </span>
          </div>
          {runningElsewhere && (
            <p className="notice">
              Another exercise is training (
              <a href={routeHref.exercise(run.exerciseId ?? '')}>{run.exerciseId}</a>). Stop it there to run
              this one.
            </p>
          )}
          {draft.storageError && (
            <p className="notice notice-error" role="alert">
              {draft.storageError}
            </p>
          )}
          {draft.initialCode !== null && (
            <CodeEditor
              ref={editorRef}
              exerciseId={exercise.id}
              initialCode={draft.initialCode}
              onChange={draft.update}
              errorMarker={errorMarker}
            />
          )}
        </section>
      </div>

      {view && view.status !== 'idle' && (
        <section className="run-panel" aria-label="Training run">
          {view.error && (
            <div className="run-error" role="alert" data-testid="run-error">
              <strong>{view.error.kind === 'stopped' ? 'Stopped' : 'Error'}:</strong>{' '}
              {describeError(view.error)}
              {view.error.hint && <div className="run-error-hint">{view.error.hint}</div>}
            </div>
          )}
          {view.progress && view.status === 'running' && view.progress.loaded < view.progress.total && (
            <ProgressBar {...view.progress} />
          )}
          <TrainingCharts batches={view.batches} epochs={view.epochs} />
          <EpochTable epochs={view.epochs} />
          <h2>Log</h2>
          <LogPanel lines={view.log} />
        </section>
      )}

      {report && <ReportView report={report} />}
    </div>
  );
}
