import { CourseDataNote } from '../offline/CourseDataNote';
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { findExercise } from '../catalog';
import { TaskBandsNote } from '../exam-practice/TaskBandsNote';
import { usePracticeStore } from '../exam-practice/practice-store';
import { describeTargets } from '../../core/grading/target-text';
import type { ExerciseCard } from '../../core/exercises/schema';
import { categorySections } from '../categories';
import { AugmentPreview } from '../components/AugmentPreview';
import { BackendBadge } from '../components/BackendBadge';
import { DatasetGallery } from '../components/DatasetGallery';
import { EpochTable } from '../components/EpochTable';
import { HintsPanel } from '../components/HintsPanel';
import { LogPanel } from '../components/LogPanel';
import { DownloadModelButton } from '../components/ModelActions';
import { Markdown } from '../components/Markdown';
import { ProgressBar } from '../components/ProgressBar';
import { QuizForm } from '../components/QuizForm';
import { ReportView } from '../components/ReportView';
import { ResultBadge } from '../components/ResultBadge';
import { trainingTime } from '../components/training-time';
import { RunErrorHelp } from '../components/RunErrorHelp';
import { RunProgress } from '../components/RunProgress';
import { TrainingCharts } from '../components/TrainingCharts';
import { CodeEditor, type CodeEditorHandle, type EditorMarker } from '../editor/CodeEditor';
import { routeHref } from '../routing';
import { describeError, type RunStatus } from '../run/run-view';
import { useDraftTab } from '../storage/draft-tabs';
import { useDraft, type DraftSaveState } from '../storage/use-draft';
import { InertWhen } from '../components/InertWhen';
import { useResultsStore } from '../stores/results-store';
import { useRunStore } from '../stores/run-store';
import { useSettingsStore } from '../stores/settings-store';
import { ExportSubmissionButton } from '../teams/ExportSubmissionButton';
import { StoredResultActions } from '../teams/StoredResultActions';
import { SetExerciseBanner } from '../teams/SetExerciseBanner';
import { attemptFromRun, useSetsStore } from '../teams/sets-store';
import { useSetExercise, type SetExercise } from '../teams/use-set-exercise';

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

export function ExercisePage({ exerciseId, setId }: { exerciseId: string; setId?: string }) {
  const bundle = findExercise(exerciseId);
  const setExercise = useSetExercise(setId, exerciseId);
  if (setExercise && setExercise.state !== 'ready') {
    return (
      <section className="page">
        <h1>{setExercise.state === 'loading' ? 'Opening the set…' : 'Exercise not available'}</h1>
        {setExercise.state === 'missing' && (
          <p>
            {setExercise.message} <a href={routeHref.sets}>See your sets</a>.
          </p>
        )}
      </section>
    );
  }
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
  return <ExerciseWorkspace bundle={setExercise?.bundle ?? bundle} setExercise={setExercise ?? undefined} />;
}

function ExerciseWorkspace({
  bundle,
  setExercise,
}: {
  bundle: NonNullable<ReturnType<typeof findExercise>>;
  /** Opened from a set: its overrides are in `bundle`; exam mode changes what the page allows. */
  setExercise?: Extract<SetExercise, { state: 'ready' }>;
}) {
  const { exercise } = bundle;
  const draft = useDraft(exercise.id, bundle.starter);
  const draftTab = useDraftTab(exercise.id, draft.flush);
  /** Another tab edits this draft (or this tab is still asking): nothing here may write it. */
  const draftReadOnly = draftTab.mode !== 'editing';
  const editorRef = useRef<CodeEditorHandle>(null);
  const backend = useSettingsStore((s) => s.backend);
  const storedResult = useResultsStore((s) => s.results[exercise.id]);
  // What this page shows of the run, by field: the figures that change with every update of a
  // training run are read by RunPanel and LiveRunProgress, so the page itself renders only when
  // the run's status, phase or outcome changes (issue 13, item 3).
  const run = useRunStore(
    useShallow((s) => ({
      exerciseId: s.exerciseId,
      status: s.status,
      phaseMessage: s.phaseMessage,
      backend: s.backend,
      error: s.error,
      report: s.report,
      finishedRun: s.finishedRun,
    })),
  );
  const runIsHere = run.exerciseId === exercise.id;
  const runningElsewhere = run.status === 'running' && !runIsHere;
  const running = run.status === 'running' && runIsHere;
  const view = runIsHere ? run : null;
  const viewHasRun = view !== null && view.status !== 'idle';
  // The run's panel (and the layout that makes room for it) appears in a deferred render, which
  // React slices into short tasks, so Run's click stays short (issue 13, item 3).
  const showRunPanel = useDeferredValue(viewHasRun);
  const report = view?.report ?? (viewHasRun ? null : (storedResult?.report ?? null));
  /** The result on screen is the stored one (after a reload, or another exercise ran since). */
  const shownStoredResult = !viewHasRun && storedResult ? storedResult : null;
  const finishedHere = runIsHere && view?.status === 'graded' ? run.finishedRun : null;

  useEffect(() => {
    // Warm once per page.
    useRunStore.getState().warm();
  }, []);

  const errorMarker = useMemo<EditorMarker | null>(() => {
    const error = view?.error;
    if (!error || error.line === undefined) return null;
    return { line: error.line, column: error.column, message: error.message };
  }, [view?.error]);

  const [setNotice, setSetNotice] = useState<string | null>(null);
  const quiz = exercise.kind === 'quiz' ? bundle.quiz : undefined;
  /** Bumped by "Reset to starter": the quiz form starts again from the starter. */
  const [quizResets, setQuizResets] = useState(0);
  const setId = setExercise?.set.id;
  /**
   * An exam-mode set: the page loads no hints and no quiz answers. Read from the exam's clock
   * (`examView`), as the hints are, not from this copy of the set: an edited copy that turns the
   * exam off under the same id must not load the answers.
   */
  const examMode = setExercise !== undefined && setExercise.exam.phase !== 'none';
  const startRun = useCallback(async () => {
    await draft.flush();
    const sets = useSetsStore.getState();
    if (setId) sets.setActiveRun({ setId, exerciseId: bundle.exercise.id });
    const seed = useSettingsStore.getState().seed ?? undefined;
    await useRunStore.getState().start(bundle, draft.codeRef.current, backend, seed, examMode);
    if (!setId) {
      const finished = useRunStore.getState().finishedRun;
      if (finished?.bundle === bundle && bundle.exercise.category === 'exam')
        await usePracticeStore.getState().recordRun(finished);
      return;
    }
    sets.setActiveRun(null);
    const finished = useRunStore.getState().finishedRun;
    if (finished?.bundle === bundle) setSetNotice(await sets.recordRun(setId, finished));
  }, [bundle, backend, draft, setId, examMode]);

  const canRun = run.status !== 'running' && draft.initialCode !== null && setExercise?.canRun !== false;
  /** Ctrl/Cmd+Enter, in the editor or anywhere on the page: what the Run button does. */
  const runFromKeyboard = useCallback(() => {
    if (canRun) void startRun();
  }, [canRun, startRun]);

  // Ctrl/Cmd+Enter runs; Escape stops a run of this exercise (unless something else used the key,
  // a menu or Monaco's suggestions).
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.repeat) return;
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey) {
        event.preventDefault();
        runFromKeyboard();
      } else if (event.key === 'Escape' && running) {
        event.preventDefault();
        useRunStore.getState().stop();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [runFromKeyboard, running]);

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
    setQuizResets((n) => n + 1);
  }, [bundle.starter, draft]);

  return (
    <div className="exercise-page">
      <div className="exercise-header">
        <div>
          {setExercise ? (
            <a className="back-link" href={routeHref.set(setExercise.set.id)}>
              ← {setExercise.set.title}
            </a>
          ) : (
            <a className="back-link" href={routeHref.catalog}>
              ← Exercises
            </a>
          )}
          <h1>{exercise.title}</h1>
          <p className="exercise-meta-line">
            {categorySections[exercise.category].title} · {exercise.difficulty}
            {exercise.dataset ? ` · ${exercise.dataset}` : ''}
            {trainingTime(exercise, storedResult)
              ? ` · training ${trainingTime(exercise, storedResult)}`
              : ''}
            {` · time limit ${Math.round(exercise.limits.timeSeconds / 60)} min`}
          </p>
        </div>
        <ResultBadge result={storedResult} />
      </div>
      {setExercise && <SetExerciseBanner context={setExercise} notice={setNotice} />}

      <div className={showRunPanel ? 'workspace workspace-with-run' : 'workspace'}>
        <aside className="brief-panel">
          {setExercise && <SetTargetsNote exercise={exercise} />}
          <CourseDataNote exercise={exercise} />
          {exercise.bands && (
            <TaskBandsNote bands={exercise.bands} inPractice={!setExercise && exercise.category === 'exam'} />
          )}
          <Markdown source={bundle.brief} className="brief" />
          {exercise.kind === 'train' && exercise.dataset && (
            <DatasetGallery datasetId={exercise.dataset} perClass={3} compact />
          )}
          {bundle.hasHints && !setExercise?.hideHints && <HintsPanel exerciseId={exercise.id} />}
        </aside>

        <section className="editor-panel">
          <div className="toolbar">
            <button
              type="button"
              className="button button-primary"
              onClick={() => void startRun()}
              disabled={!canRun}
              title="Run (Ctrl+Enter)"
              data-testid="run-button"
            >
              {setExercise?.runLabel ?? (quiz ? 'Check answers' : '▶ Run')}
            </button>
            <button
              type="button"
              className="button button-danger"
              onClick={() => useRunStore.getState().stop()}
              disabled={!running}
              title="Stop (Escape)"
              data-testid="stop-button"
            >
              ■ Stop
            </button>
            <button
              type="button"
              className="button"
              onClick={resetToStarter}
              disabled={draft.initialCode === null || draftReadOnly}
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
            {running && <LiveRunProgress />}
            <span className={`save-state save-${draft.saveState}`} data-testid="save-state">
              {saveStateText[draft.saveState]}
            </span>
            {finishedHere?.outcome.report && (
              <ExportSubmissionButton
                source={attemptFromRun(setId ?? '', finishedHere, finishedHere.outcome.report)}
                exerciseKind={finishedHere.bundle.exercise.kind}
                set={setExercise?.submissionSet}
              />
            )}
            {finishedHere?.outcome.model && (
              <DownloadModelButton
                artifacts={finishedHere.outcome.model}
                exerciseId={finishedHere.bundle.exercise.id}
              />
            )}
            {shownStoredResult && (
              <StoredResultActions
                result={shownStoredResult}
                exerciseKind={exercise.kind}
                allowExport={!setExercise}
              />
            )}
          </div>
          {finishedHere?.outcome.modelKept === false && (
            <p className="notice notice-error" role="alert" data-testid="model-not-kept">
              The trained model could not be kept in this browser:{' '}
              {finishedHere.outcome.modelKeepError ?? 'unknown error'}; export the submission now.
            </p>
          )}
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
          {draftTab.mode === 'elsewhere' && (
            <p className="notice" role="status" data-testid="draft-elsewhere">
              This draft is open in another tab. It is read-only here, so that no edit is lost.{' '}
              <button
                type="button"
                className="button button-small"
                data-testid="draft-edit-here"
                onClick={() => void draftTab.takeOver()}
              >
                Edit here
              </button>{' '}
              (the other tab saves what it has and becomes read-only)
            </p>
          )}
          <InertWhen inert={draftReadOnly}>
            {draft.initialCode !== null &&
              (quiz ? (
                <QuizForm
                  key={quizResets}
                  quiz={quiz}
                  initialCode={quizResets > 0 ? bundle.starter : draft.initialCode}
                  onChange={draft.update}
                  fallback={
                    <CodeEditor
                      ref={editorRef}
                      exerciseId={exercise.id}
                      initialCode={draft.initialCode}
                      onChange={draft.update}
                      errorMarker={errorMarker}
                      onRun={runFromKeyboard}
                    />
                  }
                />
              ) : (
                <CodeEditor
                  ref={editorRef}
                  exerciseId={exercise.id}
                  initialCode={draft.initialCode}
                  onChange={draft.update}
                  errorMarker={errorMarker}
                  onRun={runFromKeyboard}
                />
              ))}
          </InertWhen>
          {exercise.kind === 'train' && exercise.dataset && (
            <AugmentPreview datasetId={exercise.dataset} backend={backend} />
          )}
        </section>

        {showRunPanel && <RunPanel trains={exercise.kind === 'train'} />}
      </div>

      {report && <ReportView report={report} />}
    </div>
  );
}

/**
 * A set that changes the pass mark: the brief's prose still gives the exercise's own, so the set's
 * targets are said above it.
 */
function SetTargetsNote({ exercise }: { exercise: ExerciseCard['exercise'] }) {
  const own = findExercise(exercise.id)?.exercise.targets ?? [];
  if (JSON.stringify(own) === JSON.stringify(exercise.targets)) return null;
  return (
    <p className="notice" data-testid="set-targets-note">
      In this set, to pass: <strong>{describeTargets(exercise.targets, exercise.kind)}</strong>. This replaces
      the brief&rsquo;s own target ({describeTargets(own, exercise.kind) || 'none'}).
    </p>
  );
}

/** The progress beside Run, rendered on its own as the figures change. */
function LiveRunProgress() {
  const { phase, meter } = useRunStore(useShallow((s) => ({ phase: s.phase, meter: s.meter })));
  return <RunProgress phase={phase} meter={meter} />;
}

/**
 * The run's error, data progress, curves, epochs and log. It renders on each update of the run (a
 * few a second: stores/run-store.ts), and each part only when its own figures changed. A function
 * exercise or quiz trains nothing: no curves or epochs to show, only its log.
 */
function RunPanel({ trains }: { trains: boolean }) {
  const view = useRunStore(
    useShallow((s) => ({
      error: s.error,
      progress: s.progress,
      status: s.status,
      batches: s.batches,
      epochs: s.epochs,
      log: s.log,
      logDropped: s.logDropped,
    })),
  );
  return (
    <section className="run-panel" aria-label="Training run">
      {view.error && (
        <div className="run-error" role="alert" data-testid="run-error">
          <strong>{view.error.kind === 'stopped' ? 'Stopped' : 'Error'}:</strong> {describeError(view.error)}
          <RunErrorHelp error={view.error} />
        </div>
      )}
      {view.progress && view.status === 'running' && view.progress.loaded < view.progress.total && (
        <ProgressBar {...view.progress} />
      )}
      {trains && <TrainingCharts batches={view.batches} epochs={view.epochs} />}
      {trains && <EpochTable epochs={view.epochs} />}
      <h2>Log</h2>
      <LogPanel lines={view.log} dropped={view.logDropped} />
    </section>
  );
}
