/**
 * The progress line beside Run: phase, epoch, batch, images per second and time left, from the
 * run's batch events (src/app/run/progress.ts): "epoch 3 of 10" when `fit` said how many epochs
 * it trains, else "epoch 3" and the time left of this epoch, never a guessed total.
 */
import type { RunPhase } from '../../core/sandbox/events';
import { progressParts, type TrainingMeter } from '../run/progress';

export function RunProgress({ phase, meter }: { phase: RunPhase | null; meter: TrainingMeter | null }) {
  const parts = progressParts(phase, meter, meter?.epochs);
  if (parts.length === 0) return null;
  return (
    <span className="run-progress" data-testid="run-progress">
      {parts.join(' · ')}
    </span>
  );
}
