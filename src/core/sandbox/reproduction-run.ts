/**
 * The run that reproduces a training submission (grading/reproduce.ts judges it): the same for the
 * CLI's sandbox child and the page's sandbox frame, so both train the code the same way.
 */
import type { ExerciseCard } from '../exercises/schema';
import type { Submission } from '../exercises/submission';
import type { Reproduction } from '../grading/reproduce';
import type { RunOutcome, RunRequest } from './run-types';
import { describeSandboxStop, type SandboxStop } from './watchdog';

/**
 * The run that reproduces a training submission: its code, its recorded seed, the exercise's time
 * limit, on `backend` (the caller picks the submission's recorded one where it has it).
 */
export function reproductionRun<B extends RunRequest['backend']>(
  bundle: ExerciseCard,
  submission: Submission,
  backend: B,
): Omit<RunRequest, 'gradingKey' | 'backend'> & { backend: B } {
  const { seed } = submission.environment;
  return {
    bundle,
    code: submission.code,
    backend,
    timeLimitSeconds: bundle.exercise.limits.timeSeconds,
    ...(seed !== undefined ? { seed } : {}),
  };
}

/** A supervised run's outcome as a reproduction: its report and weights hash, or why it gave none. */
export function reproductionOf(
  outcome: RunOutcome & { model?: { weightsSha256: string }; stop?: SandboxStop },
  exerciseId: string,
  where: { node: boolean; backend: string },
): Reproduction {
  if (outcome.stop) return { error: describeSandboxStop(outcome.stop, exerciseId), ...where };
  if (!outcome.report) return { error: outcome.error?.message ?? 'no report', ...where };
  return {
    report: outcome.report,
    ...(outcome.model ? { weightsSha256: outcome.model.weightsSha256 } : {}),
    backend: outcome.backend || where.backend,
    node: where.node,
  };
}
