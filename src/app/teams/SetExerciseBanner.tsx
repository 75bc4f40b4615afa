import { routeHref } from '../routing';
import { describeTargets } from '../../core/grading/target-text';
import { formatClock } from './set-progress';
import type { SetExercise } from './use-set-exercise';

type Ready = Extract<SetExercise, { state: 'ready' }>;

/** Above an exercise opened from a set: which set, the exam clock, and what the exam allows. */
export function SetExerciseBanner({ context, notice }: { context: Ready; notice: string | null }) {
  const { set, exam, bundle } = context;
  const targets = describeTargets(bundle.exercise.targets, bundle.exercise.kind);
  return (
    <div className="set-banner" data-testid="set-banner">
      <span>
        Set: <a href={routeHref.set(set.id)}>{set.title}</a>
      </span>
      {targets && <span data-testid="set-targets">To pass in this set: {targets}</span>}
      {exam.phase === 'running' && (
        <span className="exam-clock" data-testid="exam-clock" role="timer">
          Exam: {formatClock(exam.remainingSeconds)} left
        </span>
      )}
      {exam.phase === 'not-started' && (
        <span className="exam-clock">
          Exam not started: start it on the <a href={routeHref.set(set.id)}>set page</a>.
        </span>
      )}
      {exam.phase === 'over' && (
        <span className="exam-clock exam-over" data-testid="exam-over">
          The exam is over: what you submitted is kept.
        </span>
      )}
      {exam.phase !== 'none' && <span className="set-banner-note">Hints are hidden during the exam.</span>}
      {notice && <span className="notice-error">{notice}</span>}
    </div>
  );
}
