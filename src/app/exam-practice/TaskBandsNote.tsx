/**
 * Above the brief of an exercise with scoring bands: how it is scored 1 to 5 (and whether the bands
 * are provisional) and, while the exam practice runs, its clock.
 */
import { useEffect } from 'react';
import type { Bands } from '../../core/exercises/schema';
import { describeBands } from '../../core/exercises/score';
import { routeHref } from '../routing';
import { formatClock } from '../teams/set-progress';
import { useNow } from '../teams/use-set-exercise';
import { practiceView } from './practice';
import { usePracticeStore } from './practice-store';

export function TaskBandsNote({ bands, inPractice }: { bands: Bands; inPractice: boolean }) {
  const clock = usePracticeStore((s) => s.clock);
  const load = usePracticeStore((s) => s.load);
  const now = useNow(inPractice && Boolean(clock && !clock.endedAt));
  useEffect(() => {
    if (inPractice) void load();
  }, [inPractice, load]);
  const view = practiceView(clock, now);
  return (
    <div className="notice task-bands" data-testid="task-bands">
      <p>
        <strong>Scored 1 to 5</strong> by {describeBands(bands)}.
      </p>
      {bands.provisional && <p className="muted">Provisional bands: {bands.provisional}</p>}
      {inPractice && view.phase === 'running' && (
        <p>
          <a href={routeHref.examPractice}>Exam practice</a>:{' '}
          <span className="exam-clock" data-testid="task-practice-clock" role="timer">
            {formatClock(view.remainingSeconds)} left
          </span>
          ; your graded runs count.
        </p>
      )}
    </div>
  );
}
