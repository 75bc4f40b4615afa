import { useEffect } from 'react';
import { examScore } from '../../core/exercises/set';
import { exerciseCards, findExercise } from '../catalog';
import { Markdown } from '../components/Markdown';
import { reportBadgeClass, reportBadgeText } from '../components/ResultBadge';
import { routeHref } from '../routing';
import { describeTargets } from '../../core/grading/target-text';
import { effectiveMinutes, effectiveTargets } from '../teams/describe';
import { ExportSubmissionButton } from '../teams/ExportSubmissionButton';
import { submissionSetOf } from '../teams/export-submission';
import { ExportAllSubmissionsButton } from '../teams/ExportAllSubmissionsButton';
import { examView, formatClock } from '../teams/set-progress';
import { attemptKey, useSetsStore } from '../teams/sets-store';
import { useNow } from '../teams/use-set-exercise';

/** One set as a learner sees it: notes, exercises with progress, and the exam's clock and summary. */
export function SetPage({ setId }: { setId: string }) {
  const store = useSetsStore();
  const { load } = store;
  const imported = store.sets[setId];
  const clock = store.exams[setId];
  const now = useNow(Boolean(clock && !clock.endedAt));

  useEffect(() => {
    void load();
  }, [load]);

  if (!store.loaded) return <section className="page">Loading…</section>;
  if (!imported) {
    return (
      <section className="page">
        <h1>Set not found</h1>
        <p>
          No set <code>{setId}</code> has been opened in this browser. <a href={routeHref.sets}>Your sets</a>.
        </p>
      </section>
    );
  }
  const { set } = imported;
  const exam = examView(set, clock, now, imported.hash);
  /** What a submission records of the set: its copy (hash) and the exam's window. */
  const submissionSet = submissionSetOf(set, imported.hash, clock);
  const examOn = exam.phase !== 'none';
  const mayOpen = !examOn || exam.phase === 'running';
  const results = Object.fromEntries(
    set.exercises.map((e) => [e.id, store.attempts[attemptKey(set.id, e.id)]?.report]),
  );
  const score = examOn
    ? examScore(
        results,
        set,
        exerciseCards.map((b) => b.exercise),
      )
    : null;

  return (
    <section className="page set-page">
      <a className="back-link" href={routeHref.sets}>
        ← Sets
      </a>
      <h1 data-testid="set-title">{set.title}</h1>
      <p className="exercise-meta-line">
        {set.author && `by ${set.author} · `}
        {set.exercises.length} exercise{set.exercises.length === 1 ? '' : 's'}
        {set.dueDate && ` · due ${new Date(set.dueDate).toLocaleString()}`}
      </p>
      {store.error && <p className="notice notice-error">{store.error}</p>}
      {set.notes && <Markdown source={set.notes} className="set-notes" />}

      {examOn && (
        <div className={`exam-panel exam-${exam.phase}`} data-testid="exam-panel">
          {exam.phase === 'not-started' && (
            <>
              <p>
                <strong>Exam mode.</strong> One timer of {set.exam!.minutes} minutes for the whole set; hints
                are hidden. Each &ldquo;Submit and test&rdquo; trains and grades your code and keeps your best
                result. The timer keeps running if you close or reload the page.
              </p>
              <button
                type="button"
                className="button button-primary"
                data-testid="start-exam"
                onClick={() => void store.startExam(set.id)}
              >
                Start the exam
              </button>
            </>
          )}
          {exam.phase === 'running' && (
            <>
              <span className="exam-clock" data-testid="exam-clock" role="timer">
                {formatClock(exam.remainingSeconds)} left
              </span>
              <button
                type="button"
                className="button"
                onClick={() => {
                  if (window.confirm('Finish the exam now? You cannot submit anything after this.'))
                    void store.endExam(set.id);
                }}
              >
                Finish the exam
              </button>
            </>
          )}
          {exam.otherCopy && (
            <p className="notice" data-testid="exam-other-copy">
              The exam of this set was taken on {new Date(clock!.startedAt).toLocaleString()} with another
              copy of it. This copy cannot start it again: ask your team lead.
            </p>
          )}
          {exam.phase === 'over' && score && (
            <div data-testid="exam-summary">
              <h2>
                Exam over: <span data-testid="exam-total">{score.total.toFixed(1)}</span> / 100
              </h2>
              <table className="data-table">
                <thead>
                  <tr>
                    <th>Exercise</th>
                    <th>Difficulty</th>
                    <th>Weight</th>
                    <th>Score</th>
                    <th>Points</th>
                  </tr>
                </thead>
                <tbody>
                  {score.lines.map((line) => (
                    <tr key={line.exerciseId}>
                      <td>{findExercise(line.exerciseId)?.exercise.title ?? line.exerciseId}</td>
                      <td>{line.difficulty}</td>
                      <td>{line.weight}</td>
                      <td>
                        {!results[line.exerciseId]
                          ? 'not submitted'
                          : results[line.exerciseId]?.gradedByLead
                            ? 'graded by your team lead'
                            : line.score.toFixed(1)}
                      </td>
                      <td>
                        {line.points.toFixed(1)} / {line.maxPoints.toFixed(1)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}

      <ExportAllSubmissionsButton
        set={submissionSet}
        attempts={set.exercises.flatMap((e) => {
          const attempt = store.attempts[attemptKey(set.id, e.id)];
          return attempt ? [attempt] : [];
        })}
      />
      <table className="data-table set-exercises" data-testid="set-exercises">
        <thead>
          <tr>
            <th>#</th>
            <th>Exercise</th>
            <th>To pass</th>
            <th>Time limit</th>
            <th>Best result</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {set.exercises.map((entry, index) => {
            const bundle = findExercise(entry.id);
            const attempt = store.attempts[attemptKey(set.id, entry.id)];
            const minutes = effectiveMinutes(entry, bundle?.exercise);
            return (
              <tr key={entry.id} data-exercise-id={entry.id}>
                <td>{index + 1}</td>
                <td>
                  {bundle && mayOpen ? (
                    <a href={routeHref.setExercise(set.id, entry.id)}>{bundle.exercise.title}</a>
                  ) : (
                    (bundle?.exercise.title ?? `${entry.id} (not in this CV Lab)`)
                  )}
                  {bundle && <div className="muted">{bundle.exercise.difficulty}</div>}
                </td>
                <td>
                  {describeTargets(effectiveTargets(entry, bundle?.exercise), bundle?.exercise.kind) || '—'}
                </td>
                <td>{minutes === null ? '—' : `${minutes} min`}</td>
                <td data-testid="set-progress">
                  {attempt ? (
                    <span className={reportBadgeClass(attempt.report)}>
                      {reportBadgeText(attempt.report)}
                    </span>
                  ) : (
                    <span className="result-badge result-none">Not submitted</span>
                  )}
                </td>
                <td>
                  {attempt && bundle && (attempt.model || bundle.exercise.kind !== 'train') && (
                    <ExportSubmissionButton
                      source={attempt}
                      exerciseKind={bundle.exercise.kind}
                      set={submissionSet}
                      createdAt={attempt.submittedAt}
                      label="Export submission"
                    />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
