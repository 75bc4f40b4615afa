/**
 * Proof that a model came from its code (`cv-lab grade --reproduce`): the lead trains the
 * submission's code again in a sandbox, with the seed it recorded, and compares.
 *
 * - Same seed, same backend, same runtime (a submission made by the CLI, re-run by the CLI): the
 *   weights must be the same bytes, so their SHA-256 must match.
 * - Otherwise (no seed, or a browser's backend against Node's WASM) the runs legitimately differ:
 *   the test accuracy must match within `REPRODUCE_ACCURACY_TOLERANCE`.
 *
 * The run's rules (epochs, a stopping callback, data limits) are judged from what the lead's host
 * observed in that run, not from the history the learner sent: a rule the re-run fails and the
 * submitted report passed is flagged too.
 */
import type { Report } from '../exercises/schema';
import type { Submission } from '../exercises/submission';
import type { RegradeFlag } from './regrade';

/** How far two honest runs of the same code may land apart in test accuracy. */
export const REPRODUCE_ACCURACY_TOLERANCE = 0.02;

export interface Reproduction {
  /** The re-run's report, graded by the lead's host; absent when it produced no model. */
  report?: Report;
  /** SHA-256 of the re-run's weights. */
  weightsSha256?: string;
  /** Why the re-run gave no model (an error, a timeout). */
  error?: string;
  /** The backend it trained on, and whether it ran in Node (the CLI). */
  backend: string;
  node: boolean;
}

const percent = (value: number) => `${(value * 100).toFixed(2)} %`;

/** Whether the submission's run can be expected to give the very same bytes here. */
export function expectsSameWeights(submission: Submission, reproduction: Reproduction): boolean {
  const { environment } = submission;
  return (
    environment.seed !== undefined &&
    environment.backend === reproduction.backend &&
    environment.userAgent.startsWith('node') === reproduction.node &&
    reproduction.node
  );
}

/**
 * The flags of a reproduction. `graded` is the lead's grade of the submitted model (the report
 * the re-grade made, not the learner's).
 */
export function reproductionFlags(
  submission: Submission,
  graded: Report | null,
  reproduction: Reproduction,
): RegradeFlag[] {
  const seed = submission.environment.seed;
  const how = `trained again here on ${reproduction.backend}${seed !== undefined ? ` with its seed ${seed}` : ' (it recorded no seed)'}`;
  if (!reproduction.report) {
    return [
      {
        code: 'not-reproduced',
        message: `${how}, its code gave no model: ${reproduction.error ?? 'no report'}`,
      },
    ];
  }
  const flags: RegradeFlag[] = [];
  const here = reproduction.report.metrics.accuracy;
  const submitted = graded?.metrics.accuracy ?? submission.report.metrics.accuracy;
  if (expectsSameWeights(submission, reproduction)) {
    if (submission.model && reproduction.weightsSha256 !== submission.model.weightsSha256) {
      flags.push({
        code: 'not-reproduced',
        message: `${how}, its code trains weights ${reproduction.weightsSha256?.slice(0, 12)}… where the submission carries ${submission.model.weightsSha256.slice(0, 12)}… (test accuracy ${percent(here)} here, ${percent(submitted)} for the submitted model)`,
      });
    }
  } else if (Math.abs(here - submitted) > REPRODUCE_ACCURACY_TOLERANCE) {
    flags.push({
      code: 'not-reproduced',
      message: `${how}, its code reaches test accuracy ${percent(here)}; the submitted model reaches ${percent(submitted)}, further apart than the ±${percent(REPRODUCE_ACCURACY_TOLERANCE)} two runs may differ by`,
    });
  }
  const passedBefore = new Set(submission.report.checks.filter((c) => c.passed).map((c) => c.id));
  const brokenHere = reproduction.report.checks.filter(
    (c) => c.id.startsWith('rule:') && !c.passed && passedBefore.has(c.id),
  );
  if (brokenHere.length) {
    flags.push({
      code: 'not-reproduced',
      message: `${how}, the run breaks ${brokenHere.map((c) => `${c.label} (${c.detail})`).join('; ')}, which the submitted report says it met`,
    });
  }
  return flags;
}
