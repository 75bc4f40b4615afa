/**
 * `cv-lab verify`: every exercise must be honest — its reference solution passes its own targets and
 * its starter runs but does not pass; with `--baseline`, a training exercise's weak baseline
 * (`baseline.ts`, docs/authoring-exercises.md "Calibration") runs and does not pass either. Runs both in Node with the same core as the page, each in a
 * thread of its own that is stopped if it overruns the exercise's time limit (learner-thread.ts).
 */
import type { Command } from 'commander';
import type { ExerciseBundle } from '../../core/exercises/schema';
import type { RunOutcome } from '../../core/sandbox/run-types';
import { readCatalog } from '../catalog';
import { missingDownloads } from '../datasets/availability';
import { CliError } from '../cli-error';
import { effectiveTimeLimit, stopError } from '../../core/sandbox/watchdog';
import { runInSandbox } from '../sandbox/run-in-sandbox';
import { positiveNumber, SEED_HELP, seedOption } from '../options';

interface VerifyOptions {
  exercise?: string;
  json?: boolean;
  maxMinutes?: string;
  timeLimit?: string;
  exercises?: string;
  seed?: string;
  baseline?: boolean;
}

export interface VerifyLine {
  id: string;
  category: string;
  kind: string;
  solutionPassed: boolean | null;
  starterPassed: boolean | null;
  /** `--baseline`: whether the weak baseline passed; null when not run or the exercise has none. */
  baselinePassed: boolean | null;
  solutionScore: number | null;
  starterScore: number | null;
  /** Exercises with bands: each run's score of 1 to 5 (null without bands or without a report). */
  solutionBand: number | null;
  starterBand: number | null;
  /** Why the exercise is not honest, or why it was skipped. Empty when it is verified. */
  problems: string[];
  skipped: boolean;
  seconds: number;
}

export function registerVerifyCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('verify')
    .description("check that every exercise's solution passes and its starter does not")
    .option('-e, --exercise <id>', 'verify one exercise')
    .option('--json', 'one JSON object a line per exercise')
    .option(
      '--max-minutes <n>',
      'skip exercises whose reference solution is expected to train longer than this (CI uses a budget)',
    )
    .option(
      '--time-limit <seconds>',
      "lower each exercise's time limit to at most this many seconds (it cannot be raised)",
    )
    .option('--seed <n>', SEED_HELP)
    .option('--baseline', "also run each training exercise's weak baseline (baseline.ts): it must fail")
    .option('--exercises <folder>', 'read exercises from this folder instead of the built-in catalog')
    .action(async (options: VerifyOptions) => setExitCode(await verify(options)));
}

async function verify(options: VerifyOptions): Promise<number> {
  const catalog = await readCatalog(options.exercises);
  if (catalog.errors.length) throw new CliError(`the catalog has errors:\n  ${catalog.errors.join('\n  ')}`);
  const maxMinutes = options.maxMinutes === undefined ? Infinity : Number(options.maxMinutes);
  if (Number.isNaN(maxMinutes))
    throw new CliError(`--max-minutes must be a number, got '${options.maxMinutes}'`);
  const bundles = options.exercise
    ? catalog.bundles.filter((b) => b.exercise.id === options.exercise)
    : catalog.bundles;
  if (!bundles.length) throw new CliError(`no exercise '${options.exercise}'`);
  const timeLimit = positiveNumber('--time-limit', options.timeLimit);

  const seed = seedOption(options.seed);

  const lines: VerifyLine[] = [];
  for (const bundle of bundles) {
    const line = await verifyExercise(bundle, maxMinutes, { timeLimit, seed }, options.baseline === true);
    lines.push(line);
    if (options.json) process.stdout.write(`${JSON.stringify(line)}\n`);
    else
      process.stderr.write(
        `${line.id}: ${line.skipped ? `skipped: ${line.problems.join('; ')}` : line.problems.length ? 'NOT honest' : 'ok'}\n`,
      );
  }
  if (!options.json) process.stdout.write(`${formatTable(lines)}\n`);
  return lines.some((l) => !l.skipped && l.problems.length) ? 1 : 0;
}

/** How each run is made: a lower time limit, a seed. */
interface RunSettings {
  timeLimit: number | undefined;
  seed: number | undefined;
}

async function verifyExercise(
  bundle: ExerciseBundle,
  maxMinutes: number,
  settings: RunSettings,
  withBaseline: boolean,
): Promise<VerifyLine> {
  const { exercise } = bundle;
  const line: VerifyLine = {
    id: exercise.id,
    category: exercise.category,
    kind: exercise.kind,
    solutionPassed: null,
    starterPassed: null,
    baselinePassed: null,
    solutionScore: null,
    starterScore: null,
    solutionBand: null,
    starterBand: null,
    problems: [],
    skipped: false,
    seconds: 0,
  };
  if ((exercise.expectedMinutes ?? 0) > maxMinutes) {
    line.skipped = true;
    line.problems.push(
      `expected to train ${exercise.expectedMinutes} min, over the budget of ${maxMinutes} min`,
    );
    return line;
  }
  // The course's datasets and the published models are downloads: absent, say what to run.
  const missing = missingDownloads(exercise);
  if (missing.length) {
    line.skipped = true;
    line.problems.push(...missing);
    return line;
  }
  const started = Date.now();
  const solution = await runQuietly(bundle, bundle.solution, settings);
  const starter = await runQuietly(bundle, bundle.starter, settings);
  const baseline =
    withBaseline && bundle.baseline !== undefined
      ? await runQuietly(bundle, bundle.baseline, settings)
      : undefined;
  line.seconds = Math.round((Date.now() - started) / 100) / 10;
  line.solutionPassed = solution.report?.passed ?? false;
  line.starterPassed = starter.report?.passed ?? false;
  line.solutionScore = solution.report?.score ?? null;
  line.starterScore = starter.report?.score ?? null;
  line.solutionBand = solution.report?.band?.score ?? null;
  line.starterBand = starter.report?.band?.score ?? null;
  if (!solution.ok) line.problems.push(`solution fails to run: ${solution.error?.message}`);
  else if (!line.solutionPassed) line.problems.push(`solution does not pass (score ${line.solutionScore})`);
  if (!starter.ok) line.problems.push(`starter does not run: ${starter.error?.message}`);
  else if (line.starterPassed) line.problems.push('starter already passes');
  if (withBaseline && exercise.kind === 'train' && !baseline) line.problems.push('no baseline.ts');
  if (baseline) {
    line.baselinePassed = baseline.report?.passed ?? false;
    if (!baseline.ok) line.problems.push(`baseline does not run: ${baseline.error?.message}`);
    else if (line.baselinePassed) line.problems.push('baseline passes: the exercise is too easy');
  }
  return line;
}

/** One run in a sandbox, without progress; a run the sandbox could not finish fails. */
async function runQuietly(
  bundle: ExerciseBundle,
  code: string,
  { timeLimit, seed }: RunSettings,
): Promise<RunOutcome> {
  const limit = effectiveTimeLimit(bundle.exercise.limits.timeSeconds, timeLimit);
  const outcome = await runInSandbox(
    {
      bundle,
      code,
      backend: 'wasm',
      timeLimitSeconds: limit.seconds,
      ...(seed !== undefined ? { seed } : {}),
    },
    { limitSource: limit.source },
  );
  if (!outcome.stop) return outcome;
  return { ...outcome, error: stopError(outcome.stop, bundle.exercise.id, limit.source) };
}

function formatTable(lines: VerifyLine[]): string {
  const band = (score: number | null) => (score === null ? '' : ` ${score}/5`);
  const mark = (v: boolean | null, score: number | null) =>
    (v === null ? '-' : v ? 'pass' : 'fail') + band(score);
  const rows = [
    ['exercise', 'category', 'kind', 'solution', 'starter', 'baseline', 'seconds', 'verdict'],
    ...lines.map((l) => [
      l.id,
      l.category,
      l.kind,
      mark(l.solutionPassed, l.solutionBand),
      mark(l.starterPassed, l.starterBand),
      mark(l.baselinePassed, null),
      l.skipped ? '-' : String(l.seconds),
      l.skipped ? `skipped: ${l.problems.join('; ')}` : l.problems.length ? l.problems.join('; ') : 'honest',
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '))
    .join('\n');
}
