/**
 * `#/exam-practice`: the exam's image tasks under one time box. The clock is an exam clock
 * (practice-store.ts), so it keeps running across reloads; each task scores 1 to 5 by its bands
 * and the total is out of 20. Hints stay available, one at a time, and are counted.
 */
import { useEffect } from 'react';
import { describeBand, describeBands, describeHintsUsed } from '../../core/exercises/score';
import { exerciseCards } from '../catalog';
import { routeHref } from '../routing';
import { useHintsStore } from '../stores/hints-store';
import { formatClock } from '../teams/set-progress';
import { useNow } from '../teams/use-set-exercise';
import { PRACTICE_MINUTES, practiceTasks, practiceTotal, practiceView, TASK_SCORE_MAX } from './practice';
import { usePracticeStore } from './practice-store';

export function ExamPracticePage() {
  const store = usePracticeStore();
  const { load } = store;
  const hints = useHintsStore((s) => s.revealed);
  const now = useNow(Boolean(store.clock && !store.clock.endedAt));
  useEffect(() => {
    void load();
  }, [load]);

  const tasks = practiceTasks(exerciseCards);
  const taskIds = tasks.map((t) => t.exercise.id);
  const view = practiceView(store.clock, now);
  const { lines, total, max } = practiceTotal(
    taskIds,
    Object.fromEntries(taskIds.map((id) => [id, store.attempts[id]?.report])),
  );
  const hasRun = view.phase === 'running' || view.phase === 'over';

  return (
    <section className="page exam-practice-page">
      <a className="back-link" href={routeHref.catalog}>
        ← Exercises
      </a>
      <h1>Exam practice</h1>
      <p className="lead">
        {tasks.length} tasks in the exam&rsquo;s shape: each brief gives only the dataset, what the model
        takes and returns, and the bands that score it from 1 to {TASK_SCORE_MAX} on the grader&rsquo;s hidden
        test split. One time box of {PRACTICE_MINUTES} minutes covers them all, and keeps running if you close
        or reload the page. Runs graded while it runs count; the best one per task stands. Hints are there,
        one at a time, and each one you reveal is counted beside the task&rsquo;s score.
      </p>
      {store.error && <p className="notice notice-error">{store.error}</p>}

      <div className={`exam-panel exam-${view.phase}`} data-testid="practice-panel">
        {view.phase === 'running' ? (
          <>
            <span className="exam-clock" data-testid="practice-clock" role="timer">
              {formatClock(view.remainingSeconds)} left
            </span>
            <button
              type="button"
              className="button"
              onClick={() => {
                if (window.confirm('Finish the practice now? Runs after this are not counted.'))
                  void store.finish();
              }}
            >
              Finish the practice
            </button>
          </>
        ) : (
          <>
            {view.phase === 'over' && (
              <p data-testid="practice-over">
                <strong>The practice is over:</strong> {total} / {max}.
              </p>
            )}
            <button
              type="button"
              className="button button-primary"
              data-testid="start-practice"
              disabled={!store.loaded || tasks.length === 0}
              onClick={() => void store.start(taskIds)}
            >
              {view.phase === 'over'
                ? 'Start a new practice'
                : `Start the practice (${PRACTICE_MINUTES} min)`}
            </button>
          </>
        )}
      </div>

      <table className="data-table practice-table" data-testid="practice-tasks">
        <thead>
          <tr>
            <th>Task</th>
            <th>Bands</th>
            <th>Score</th>
            <th>Hints</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line, i) => {
            const { exercise } = tasks[i];
            return (
              <tr key={line.exerciseId} data-task-id={line.exerciseId}>
                <td>
                  <a href={routeHref.exercise(exercise.id)}>{exercise.title}</a>
                  <div className="muted">
                    {exercise.dataset} · about {exercise.expectedMinutes ?? '?'} min of training
                  </div>
                </td>
                <td className="practice-bands">{exercise.bands && describeBands(exercise.bands)}</td>
                <td data-testid="practice-score">
                  {line.report?.band ? (
                    <>
                      <strong>
                        {line.score} / {TASK_SCORE_MAX}
                      </strong>
                      <div className="muted">{describeBand(line.report.band)}</div>
                    </>
                  ) : hasRun ? (
                    'not handed in'
                  ) : (
                    '–'
                  )}
                </td>
                <td data-testid="practice-hints">{describeHintsUsed(hints[exercise.id])}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th colSpan={2}>Total</th>
            <th data-testid="practice-total">
              {total} / {max}
            </th>
            <th>{describeHintsUsed(taskIds.reduce((sum, id) => sum + (hints[id] ?? 0), 0))}</th>
          </tr>
        </tfoot>
      </table>
    </section>
  );
}
