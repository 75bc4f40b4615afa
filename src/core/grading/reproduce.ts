/**
 * Proof that a model came from its code (`cv-lab grade --reproduce`, the roster page's
 * "Re-grade and reproduce"): the lead trains the submission's code again in a sandbox, with the
 * seed it recorded, on the backend it recorded where the lead's machine has it, and compares.
 *
 * - Same seed, same backend, same kind of runtime (browser or Node), and a backend that computes
 *   the same bytes on every machine (WASM, CPU): the weights must be the same bytes, so their
 *   SHA-256 must match.
 * - Otherwise (no seed, another backend, a GPU backend, a browser's run against Node's) two honest
 *   runs legitimately differ: the test accuracy must match within `REPRODUCE_ACCURACY_TOLERANCE`.
 *
 * The run's rules (epochs, a stopping callback, data limits) are judged from what the lead's host
 * observed in that run (core/sandbox/supervise.ts), not from the history the learner sent: a rule
 * the re-run fails and the submitted report passed is flagged too.
 *
 * The CLI and the page's lab worker both build the run with `reproductionRun`, read its outcome
 * with `reproductionOf` (sandbox/reproduction-run.ts) and judge it with `checkReproduction`; only
 * the sandbox differs.
 */
import type { Report } from '../exercises/schema';
import type { Submission } from '../exercises/submission';
import type { RegradeFlag } from './regrade';

/** How far two honest runs of the same code may land apart in test accuracy. */
export const REPRODUCE_ACCURACY_TOLERANCE = 0.02;

/** Backends whose arithmetic does not depend on the machine: a seeded run gives the same bytes. */
const REPEATABLE_BACKENDS: readonly string[] = ['wasm', 'cpu'];

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

/** What the roster shows of a reproduction: whether it reproduced, and one line with the figures. */
export interface ReproductionCheck {
  reproduced: boolean;
  /** What was trained and compared, with the figures, e.g. `trained again here on wasm with its seed 7: the same weights (3f2a9c01b7de…)`. */
  summary: string;
  /** `not-reproduced` flags, each with its figures; empty when reproduced. */
  flags: RegradeFlag[];
}

const percent = (value: number) => `${(value * 100).toFixed(2)} %`;
const short = (hash: string | undefined) => `${(hash ?? '?').slice(0, 12)}…`;

/**
 * The backend to train again on: the one the submission recorded when this runtime offers it
 * (only then can the weights be the same bytes), else the lead's own choice.
 */
export function reproductionBackend<B extends string>(
  submission: Submission,
  offered: readonly B[],
  fallback: B,
): B {
  const recorded = submission.environment.backend as B;
  return offered.includes(recorded) ? recorded : fallback;
}

/** Whether the submission's run can be expected to give the very same bytes here. */
export function expectsSameWeights(submission: Submission, reproduction: Reproduction): boolean {
  const { environment } = submission;
  return (
    environment.seed !== undefined &&
    environment.backend === reproduction.backend &&
    REPEATABLE_BACKENDS.includes(reproduction.backend) &&
    environment.userAgent.startsWith('node') === reproduction.node
  );
}

/**
 * Judges a reproduction. `graded` is the lead's grade of the submitted model (the report the
 * re-grade made, not the learner's).
 */
export function checkReproduction(
  submission: Submission,
  graded: Report | null,
  reproduction: Reproduction,
): ReproductionCheck {
  const seed = submission.environment.seed;
  const how = `trained again here on ${reproduction.backend}${seed !== undefined ? ` with its seed ${seed}` : ' (it recorded no seed)'}`;
  if (!reproduction.report) {
    const message = `${how}, its code gave no model: ${reproduction.error ?? 'no report'}`;
    return { reproduced: false, summary: message, flags: [{ code: 'not-reproduced', message }] };
  }
  const flags: RegradeFlag[] = [];
  const here = reproduction.report.metrics.accuracy;
  const submitted = graded?.metrics.accuracy ?? submission.report.metrics.accuracy;
  const accuracies = `test accuracy ${percent(here)} here, ${percent(submitted)} for the submitted model`;
  let summary: string;
  if (expectsSameWeights(submission, reproduction)) {
    const carried = submission.model?.weightsSha256;
    if (carried && reproduction.weightsSha256 !== carried) {
      summary = `${how}, its code trains weights ${short(reproduction.weightsSha256)} where the submission carries ${short(carried)} (${accuracies})`;
      flags.push({ code: 'not-reproduced', message: summary });
    } else {
      summary = `${how}: the same weights (${short(reproduction.weightsSha256)}), ${accuracies}`;
    }
  } else if (Math.abs(here - submitted) > REPRODUCE_ACCURACY_TOLERANCE) {
    summary = `${how}, its code reaches test accuracy ${percent(here)}; the submitted model reaches ${percent(submitted)}, further apart than the ±${percent(REPRODUCE_ACCURACY_TOLERANCE)} two runs may differ by`;
    flags.push({ code: 'not-reproduced', message: summary });
  } else {
    summary = `${how}: ${accuracies}, within the ±${percent(REPRODUCE_ACCURACY_TOLERANCE)} two runs on other machines or backends may differ by`;
  }
  const passedBefore = new Set(submission.report.checks.filter((c) => c.passed).map((c) => c.id));
  const brokenHere = reproduction.report.checks.filter(
    (c) => c.id.startsWith('rule:') && !c.passed && passedBefore.has(c.id),
  );
  if (brokenHere.length) {
    const message = `${how}, the run breaks ${brokenHere.map((c) => `${c.label} (${c.detail})`).join('; ')}, which the submitted report says it met`;
    flags.push({ code: 'not-reproduced', message });
    summary = `${summary}; ${message.slice(how.length + 2)}`;
  }
  return { reproduced: flags.length === 0, summary, flags };
}
