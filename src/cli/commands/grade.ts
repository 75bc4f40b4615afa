/**
 * `cv-lab grade --exercise <id> --code <file.ts>`: trains the learner's file with the same core as
 * the page (in Node, on the WASM backend) and grades it with the same grader.
 *
 * stdout carries the report (text, or JSON with `--json`); stderr carries progress, so
 * `cv-lab grade ... --json > report.json` stays machine-readable. Exit 0 pass, 1 fail, 2 error
 * (including learner code that does not return within the time limit and is stopped: the run
 * happens in a thread the CLI terminates, see learner-thread.ts).
 *
 * `cv-lab grade <file.cvsub.json>... [--set s.cvset.json] [--report out.csv|.json|.html]`: re-grades
 * submissions (core/grading/regrade.ts) on the exercise's test split, or on the set's private test,
 * and prints the roster. Exit 0 all pass, 1 any fail or flag, 2 any file unreadable or ungradable.
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import type { RunEvent } from '../../core/sandbox/events';
import type { RunOutcome } from '../../core/sandbox/run-types';
import type { ModelArtifactsJson } from '../../core/models/artifacts';
import type { ExerciseBundle, Report } from '../../core/exercises/schema';
import {
  applySetOverrides,
  privateTestDataset,
  type CvSet,
  type PrivateCase,
} from '../../core/exercises/set';
import { gradingKeyOf, type GradingKey } from '../../core/sandbox/run-cases';
import { FormatError, MAX_CODE_CHARS, type Submission } from '../../core/exercises/submission';
import { MAX_BUNDLE_CHARS, parseSubmissionsFile } from '../../core/exercises/submission-bundle';
import { readUntrustedText } from '../read-untrusted';
import { needsTestData, regradeSubmission } from '../../core/grading/regrade';
import { nodeModelReader } from '../models/model-files';
import { LearnerError } from '../../core/sandbox/compile';
import { submissionSimilarityFlags } from '../../core/grading/similarity';
import {
  formatRosterTable,
  rosterErrorRow,
  rosterRow,
  rosterToCsv,
  rosterToGradebookCsv,
  rosterToHtml,
  rosterToJson,
  rowNeedsAttention,
  type RosterReportContext,
  type RosterRow,
} from '../../core/grading/roster';
import { loadDataset } from '../../core/datasets/load';
import type { LoadedDataset } from '../../core/datasets/types';
import { readSetFile } from './set';
import { formatReport } from '../../core/grading/format';
import { findExercise } from '../../core/exercises/catalog';
import { readCatalog } from '../catalog';
import { stripControlCharacters } from '../../core/text/control-characters';
import { CliError } from '../cli-error';
import { errorMessage } from '../../core/shared/errors';
import { checkReproduction, reproductionBackend, type Reproduction } from '../../core/grading/reproduce';
import { reproductionOf, reproductionRun } from '../../core/sandbox/reproduction-run';
import { initNodeBackend, type NodeBackendName } from '@cv-lab/runtime/node';
import { datasetFolder, fsDatasetReader } from '../datasets/fs-reader';
import { describeSandboxStop, effectiveTimeLimit, regradeTimeLimit } from '../../core/sandbox/watchdog';
import { runInSandbox } from '../sandbox/run-in-sandbox';
import { positiveNumber, SEED_HELP, seedOption } from '../options';

interface GradeOptions {
  exercise?: string;
  code?: string;
  json?: boolean;
  backend: string;
  timeLimit?: string;
  quiet?: boolean;
  exercises?: string;
  set?: string;
  report?: string;
  gradebook?: string;
  seed?: string;
  reproduce?: boolean;
}

export const NODE_BACKENDS: NodeBackendName[] = ['wasm', 'cpu'];

/**
 * One line on stderr. Progress and errors quote learners' names, set titles, file contents and what
 * learner code logs: control characters are taken out so none of it can drive the terminal.
 */
function printLine(line: string): void {
  process.stderr.write(`${stripControlCharacters(line)}\n`);
}

export function registerGradeCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('grade')
    .description(
      'train a learner file for an exercise and grade it on the test split (--exercise, --code), ' +
        'or re-grade submission files (cv-lab grade a.cvsub.json b.cvsub.json ... [--set s.cvset.json])',
    )
    .argument('[submissions...]', 'submission files (*.cvsub.json) to re-grade')
    .option('-e, --exercise <id>', 'exercise id, e.g. fashion-mnist-cnn')
    .option('-c, --code <file>', "the learner's TypeScript file")
    .option('--json', 'print the report (or the roster) as JSON on stdout')
    .option('-b, --backend <name>', `backend: ${NODE_BACKENDS.join(' or ')}`, 'wasm')
    .option(
      '--time-limit <seconds>',
      "lower the exercise's time limit to this many seconds (it cannot be raised); code that " +
        'does not return by then is stopped',
    )
    .option('--seed <n>', SEED_HELP)
    .option('-q, --quiet', 'no progress on stderr')
    .option('--exercises <folder>', 'read exercises from this folder instead of the built-in catalog')
    .option('--set <file>', "re-grade against this set's overrides and private test (*.cvset.json)")
    .option('--report <file>', 'write the roster to this file: .csv, .json or .html')
    .option(
      '--reproduce',
      "train each training submission's code again with its recorded seed and flag a model its code does not give",
    )
    .option(
      '--gradebook <file.csv>',
      'write a gradebook CSV: one row per learner, one score column per exercise (docs/team-leads.md)',
    )
    .action(async (submissions: string[], options: GradeOptions) => {
      if (submissions.length) {
        if (options.exercise || options.code) {
          throw new CliError('give either submission files or --exercise and --code, not both');
        }
        setExitCode(await regradeFiles(submissions, options));
        return;
      }
      if (options.set || options.report || options.gradebook) {
        throw new CliError(
          '--set, --report and --gradebook go with submission files: cv-lab grade <file.cvsub.json>...',
        );
      }
      setExitCode(await gradeCode(options));
    });
}

export interface TrainFileOptions {
  exercise?: string;
  code?: string;
  backend: string;
  timeLimit?: string;
  quiet?: boolean;
  exercises?: string;
  /** The set entry's overrides apply when the set names the exercise. */
  set?: CvSet;
  /** `--seed`, as typed. */
  seed?: string;
  /** Bring the trained model's artifacts back (for a submission file). */
  keepModel?: boolean;
}

export interface TrainedFile {
  report: Report;
  outcome: RunOutcome;
  bundle: ExerciseBundle;
  code: string;
  /** The trained model's artifacts, when `keepModel` asked for them (training exercises only). */
  model?: ModelArtifactsJson;
}

/**
 * Trains a learner's file for an exercise with the same core as the page and grades it: the part
 * `grade --exercise` and `submission create` share. Learner errors become a `CliError` (exit 2).
 */
export async function trainLearnerFile(options: TrainFileOptions): Promise<TrainedFile> {
  if (!options.exercise || !options.code) {
    throw new CliError('grade needs --exercise <id> and --code <file.ts> (see cv-lab grade --help)');
  }
  if (!NODE_BACKENDS.includes(options.backend as NodeBackendName)) {
    throw new CliError(`unknown backend '${options.backend}': in Node use ${NODE_BACKENDS.join(' or ')}`);
  }
  const seed = seedOption(options.seed);
  const timeLimitSeconds = positiveNumber('--time-limit', options.timeLimit);
  const catalog = await readCatalog(options.exercises);
  let bundle = findExercise(catalog, options.exercise);
  if (!bundle) {
    const known = catalog.bundles.map((b) => b.exercise.id).join(', ');
    throw new CliError(`no exercise '${options.exercise}'; known exercises: ${known}`);
  }
  if (options.set) {
    const entry = options.set.exercises.find((e) => e.id === options.exercise);
    if (!entry) throw new CliError(`exercise '${options.exercise}' is not in the set '${options.set.title}'`);
    bundle = applySetOverrides(bundle, entry);
  }
  let code: string;
  try {
    code = await readUntrustedText(options.code, MAX_CODE_CHARS, 'code file');
  } catch (error) {
    if (error instanceof FormatError) throw new CliError(`--code ${options.code}: ${error.message}`);
    throw new CliError(
      `cannot read --code ${options.code}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }

  const progress = options.quiet ? () => {} : printLine;
  const { exercise } = bundle;
  const limit = effectiveTimeLimit(exercise.limits.timeSeconds, timeLimitSeconds);
  if (limit.ignored) {
    progress(
      `warning: --time-limit ${timeLimitSeconds} s is above the exercise's limit of ${limit.seconds} s; ` +
        "it can only lower it, so the exercise's limit applies",
    );
  }
  progress(
    `Grading ${options.code} for ${exercise.id} on ${options.backend}` +
      (exercise.expectedMinutes
        ? `; the reference solution takes about ${exercise.expectedMinutes} min on a laptop CPU`
        : '') +
      ` (time limit ${limit.seconds} s)`,
  );

  // The learner's code runs in a sandbox child (no files, no network, no processes); the data, the
  // watchdog and the grading stay here (sandbox/run-in-sandbox.ts, docs/architecture.md).
  const outcome = await runInSandbox(
    {
      bundle,
      code,
      backend: options.backend as NodeBackendName,
      timeLimitSeconds: limit.seconds,
      ...(seed !== undefined ? { seed } : {}),
    },
    { onEvent: progressPrinter(progress), limitSource: limit.source },
  );
  if (outcome.stop) {
    throw new CliError(`${options.code}: ${describeSandboxStop(outcome.stop, exercise.id, limit.source)}`);
  }
  if (!outcome.ok || !outcome.report) {
    const error = outcome.error!;
    const where = error.line ? ` at line ${error.line}${error.column ? `:${error.column}` : ''}` : '';
    const hint = error.hint ? `\n  hint: ${error.hint}` : '';
    throw new CliError(`${error.kind} error in ${options.code}${where}: ${error.message}${hint}`);
  }
  const { model, ...plain } = outcome;
  return {
    report: outcome.report,
    outcome: plain,
    bundle,
    code,
    ...(options.keepModel && model ? { model } : {}),
  };
}

/** Model checks other than finiteness failed: the model cannot be graded meaningfully (exit 2). */
export function assertModelUsable(report: Report): void {
  const failed = report.checks.filter(
    (c) => c.id.startsWith('model:') && !c.passed && c.id !== 'model:finite',
  );
  if (failed.length) {
    throw new CliError(`the model does not fit the exercise: ${failed.map((c) => c.detail).join('; ')}`);
  }
}

async function gradeCode(options: GradeOptions): Promise<number> {
  const { report, outcome } = await trainLearnerFile({ ...options, set: undefined });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    // Layer names, check details and messages in a report can come from the learner's code.
    const text = formatReport(report, { history: outcome.history });
    process.stdout.write(`${stripControlCharacters(text, { keepLineBreaks: true })}\n`);
  }
  assertModelUsable(report);
  return report.passed ? 0 : 1;
}

const REPORT_WRITERS: Record<string, (rows: RosterRow[], context: RosterReportContext) => string> = {
  '.csv': rosterToCsv,
  '.json': rosterToJson,
  '.html': rosterToHtml,
};

/**
 * `cv-lab grade <file.cvsub.json>...`: re-grades every submission, prints the roster and writes
 * the report file. Exit 0 all pass, 1 any fail or flag, 2 any file could not be read or graded
 * (the others are still graded and listed).
 */
async function regradeFiles(files: string[], options: GradeOptions): Promise<number> {
  const writer = options.report ? REPORT_WRITERS[extname(options.report).toLowerCase()] : undefined;
  if (options.report && !writer) {
    throw new CliError(`--report ${options.report}: the file must end in .csv, .json or .html`);
  }
  if (options.gradebook && extname(options.gradebook).toLowerCase() !== '.csv') {
    throw new CliError(`--gradebook ${options.gradebook}: the file must end in .csv`);
  }
  if (!NODE_BACKENDS.includes(options.backend as NodeBackendName)) {
    throw new CliError(`unknown backend '${options.backend}': in Node use ${NODE_BACKENDS.join(' or ')}`);
  }
  const progress = options.quiet ? () => {} : printLine;
  const set = options.set ? await readSetFile(options.set) : undefined;
  const catalog = await readCatalog(options.exercises);
  await initNodeBackend(options.backend as NodeBackendName);

  let privateTest: Promise<LoadedDataset> | undefined;
  const prepared = new Map<string, Promise<LoadedDataset>>();
  const testDataFor = (bundle: ExerciseBundle): Promise<LoadedDataset> => {
    if (set?.privateTest) {
      privateTest ??= privateTestDataset(set.privateTest);
      return privateTest;
    }
    const id = bundle.exercise.dataset;
    if (!id) return Promise.reject(new Error(`exercise ${bundle.exercise.id} names no dataset`));
    if (!prepared.has(id)) {
      prepared.set(id, loadDataset(fsDatasetReader(datasetFolder(id)), { splits: ['test'] }));
    }
    return prepared.get(id)!;
  };

  const rows: RosterRow[] = [];
  /** The re-graded submissions, compared with each other once all are graded. */
  const compared: { row: number; submission: Submission; starter: string }[] = [];
  for (const file of files) {
    // A file holds one submission, or a learner's bundle of them (`cv-lab-submissions`).
    let inFile: Submission[];
    try {
      inFile = parseSubmissionsFile(await readUntrustedText(file, MAX_BUNDLE_CHARS, 'submission'));
    } catch (error) {
      const reason =
        error instanceof FormatError
          ? error.message
          : `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
      rows.push(rosterErrorRow(file, reason));
      printLine(`cv-lab: ${file}: ${reason}`);
      continue;
    }
    for (const submission of inFile) {
      const known = {
        learner: submission.learner.name,
        exerciseId: submission.exerciseId,
        setTitle: submission.setTitle ?? '',
        backend: submission.environment.backend,
      };
      try {
        let bundle = findExercise(catalog, submission.exerciseId);
        if (!bundle) throw new Error(`no exercise '${submission.exerciseId}' in the catalog`);
        let privateCases: PrivateCase[] = [];
        if (set) {
          const entry = set.exercises.find((e) => e.id === submission.exerciseId);
          if (!entry) throw new Error(`exercise '${submission.exerciseId}' is not in the set '${set.title}'`);
          bundle = applySetOverrides(bundle, entry);
          privateCases = entry.privateCases ?? [];
        }
        progress(`Re-grading ${file} (${submission.learner.name}, ${submission.exerciseId})`);
        // With --set, the set's flags (late, out-of-exam, wrong-set) join the re-grade's.
        const result = needsTestData(bundle)
          ? await regradeSubmission(tf, submission, {
              bundle,
              testDataset: await testDataFor(bundle),
              set,
              modelReader: (modelId) => nodeModelReader(modelId),
            })
          : await regradeSubmission(tf, submission, {
              bundle,
              set,
              gradeCode: casesInSandbox(
                bundle,
                await gradingKeyOf(tf, bundle, privateCases),
                options.backend as NodeBackendName,
              ),
            });
        if (options.reproduce && needsTestData(bundle)) {
          progress(`Training ${file}'s code again to reproduce its model`);
          const reproduction = await reproduceTraining(
            bundle,
            submission,
            () => testDataFor(bundle),
            options.backend as NodeBackendName,
          );
          const check = checkReproduction(submission, result.report, reproduction);
          result.flags.push(...check.flags);
          result.reproduction = { reproduced: check.reproduced, summary: check.summary };
        }
        compared.push({ row: rows.length, submission, starter: bundle.starter });
        rows.push(rosterRow(file, submission, result, bundle.exercise));
      } catch (error) {
        const reason = errorMessage(error);
        rows.push(rosterErrorRow(file, reason, known));
        printLine(`cv-lab: ${file}: ${reason}`);
      }
    }
  }

  addSimilarityFlags(rows, compared);

  const context: RosterReportContext = {
    set: set ?? null,
    difficulties: catalog.bundles.map((b) => b.exercise),
    exerciseTitles: Object.fromEntries(catalog.bundles.map((b) => [b.exercise.id, b.exercise.title])),
  };
  if (options.json) process.stdout.write(rosterToJson(rows, context));
  else process.stdout.write(`${formatRosterTable(rows)}\n`);
  if (options.report && writer) {
    await writeFile(options.report, writer(rows, context));
    progress(`Wrote ${options.report}`);
  }
  if (options.gradebook) {
    await writeFile(options.gradebook, rosterToGradebookCsv(rows, context));
    progress(`Wrote ${options.gradebook}`);
  }
  if (rows.some((r) => r.status === 'error')) return 2;
  return rows.some(rowNeedsAttention) ? 1 : 0;
}

/**
 * Copying across the roster (core/grading/similarity.ts): submissions of one exercise by different
 * learners with the same model weights (`identical-model`) or alike code (`similar-code`).
 */
function addSimilarityFlags(
  rows: RosterRow[],
  compared: readonly { row: number; submission: Submission; starter: string }[],
): void {
  const flags = submissionSimilarityFlags(
    compared.map((c) => ({ ...c, weightsVerified: !rows[c.row].flags.some((f) => f.code === 'model-hash') })),
  );
  compared.forEach(({ row }, i) => rows[row].flags.push(...flags[i]));
}

/**
 * A function exercise's or quiz's code, run again on the hidden cases (the catalog's and the set's
 * private ones, in `gradingKey`) in a fresh sandbox (like any learner code it may never return);
 * throws with the reason when it gives no report.
 */
function casesInSandbox(bundle: ExerciseBundle, gradingKey: GradingKey, backend: NodeBackendName) {
  return async (code: string): Promise<Report> => {
    const timeLimitSeconds = regradeTimeLimit(bundle.exercise.limits.timeSeconds);
    const outcome = await runInSandbox({ bundle, gradingKey, code, backend, timeLimitSeconds });
    if (outcome.stop) throw new Error(describeSandboxStop(outcome.stop, bundle.exercise.id));
    if (!outcome.ok || !outcome.report) throw new LearnerError(outcome.error!);
    return outcome.report;
  };
}

/**
 * A training submission's code, trained again in a fresh sandbox with its recorded seed, graded on
 * the same test data as the re-grade (core/grading/reproduce.ts compares).
 */
async function reproduceTraining(
  bundle: ExerciseBundle,
  submission: Submission,
  testData: () => Promise<LoadedDataset>,
  backend: NodeBackendName,
): Promise<Reproduction> {
  const onBackend = reproductionBackend(submission, NODE_BACKENDS, backend);
  let outcome;
  try {
    outcome = await runInSandbox(reproductionRun(bundle, submission, onBackend), { testData });
  } finally {
    // The host's backend follows the run's; the next re-grades stay on the lead's `--backend`.
    if (onBackend !== backend) await initNodeBackend(backend);
  }
  return reproductionOf(outcome, bundle.exercise.id, { node: true, backend: onBackend });
}

/** Prints one line per epoch with throughput and the time left, and dataset progress every 25 %. */
function progressPrinter(print: (line: string) => void): (event: RunEvent) => void {
  let epochStarted = Date.now();
  let lastProgressQuarter = -1;
  let lastBatchLine = 0;
  return (event) => {
    switch (event.type) {
      case 'backend':
        print(`Backend: ${event.backend}`);
        break;
      case 'progress': {
        const quarter = event.total ? Math.floor((4 * event.loaded) / event.total) : 0;
        if (quarter !== lastProgressQuarter) {
          lastProgressQuarter = quarter;
          print(`${event.label}: ${Math.round((100 * event.loaded) / Math.max(1, event.total))}%`);
        }
        break;
      }
      case 'log':
        print(event.level === 'info' ? event.message : `${event.level}: ${event.message}`);
        break;
      case 'warning':
        print(`warning: ${event.message}`);
        break;
      case 'batch': {
        if (event.batch === 0) epochStarted = Date.now();
        const now = Date.now();
        if (now - lastBatchLine > 10_000 && event.batch > 0) {
          lastBatchLine = now;
          const perBatch = (now - epochStarted) / (event.batch + 1);
          const left = Math.round((perBatch * (event.batches - event.batch - 1)) / 1000);
          print(
            `  epoch ${event.epoch + 1} batch ${event.batch + 1}/${event.batches}` +
              ` loss ${event.logs.loss?.toFixed(4)} (about ${left} s left in this epoch)`,
          );
        }
        break;
      }
      case 'epoch':
        print(
          `Epoch ${event.epoch + 1}: ${Object.entries(event.logs)
            .map(([k, v]) => `${k} ${v.toFixed(4)}`)
            .join(', ')} (${event.seconds.toFixed(1)} s)`,
        );
        break;
      case 'phase':
        // The run names what it grades on: the test split, or a function's or quiz's hidden cases.
        if (event.phase === 'grade') print(`${event.message}...`);
        break;
      default:
        break;
    }
  };
}
