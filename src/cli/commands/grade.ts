/**
 * `cv-lab grade --exercise <id> --code <file.ts>`: trains the learner's file with the same core as
 * the page (in Node, on the WASM backend) and grades it with the same grader.
 *
 * stdout carries the report (text, or JSON with `--json`); stderr carries progress, so
 * `cv-lab grade ... --json > report.json` stays machine-readable. Exit 0 pass, 1 fail, 2 error.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { runExercise } from '../../core/sandbox/run';
import type { RunEvent } from '../../core/sandbox/events';
import type { BackendName } from '../../core/sandbox/run-types';
import { formatReport } from '../../core/grading/format';
import { findExercise } from '../../core/exercises/catalog';
import { readCatalog } from '../catalog';
import { CliError } from '../cli-error';
import { initNodeBackend, type NodeBackendName } from '../node-backend';
import { datasetFolder, fsDatasetReader } from '../datasets/fs-reader';

interface GradeOptions {
  exercise?: string;
  code?: string;
  json?: boolean;
  backend: string;
  timeLimit?: string;
  quiet?: boolean;
  exercises?: string;
}

const NODE_BACKENDS: NodeBackendName[] = ['wasm', 'cpu'];

export function registerGradeCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('grade')
    .description('train a learner file for an exercise and grade it on the test split')
    .option('-e, --exercise <id>', 'exercise id, e.g. fashion-mnist-cnn')
    .option('-c, --code <file>', "the learner's TypeScript file")
    .option('--json', 'print the report as JSON on stdout')
    .option('-b, --backend <name>', `backend: ${NODE_BACKENDS.join(' or ')}`, 'wasm')
    .option('--time-limit <seconds>', "override the exercise's time limit")
    .option('-q, --quiet', 'no progress on stderr')
    .option('--exercises <folder>', 'read exercises from this folder instead of the built-in catalog')
    .action(async (options: GradeOptions) => {
      setExitCode(await gradeCode(options));
    });
}

async function gradeCode(options: GradeOptions): Promise<number> {
  if (!options.exercise || !options.code) {
    throw new CliError('grade needs --exercise <id> and --code <file.ts> (see cv-lab grade --help)');
  }
  if (!NODE_BACKENDS.includes(options.backend as NodeBackendName)) {
    throw new CliError(`unknown backend '${options.backend}': in Node use ${NODE_BACKENDS.join(' or ')}`);
  }
  const timeLimitSeconds = options.timeLimit === undefined ? undefined : Number(options.timeLimit);
  if (timeLimitSeconds !== undefined && !(timeLimitSeconds > 0)) {
    throw new CliError(`--time-limit must be a positive number of seconds, got '${options.timeLimit}'`);
  }
  const catalog = await readCatalog(options.exercises);
  const bundle = findExercise(catalog, options.exercise);
  if (!bundle) {
    const known = catalog.bundles.map((b) => b.exercise.id).join(', ');
    throw new CliError(`no exercise '${options.exercise}'; known exercises: ${known}`);
  }
  let code: string;
  try {
    code = await readFile(options.code, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read --code ${options.code}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }

  const progress = options.quiet ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  const { exercise } = bundle;
  progress(
    `Grading ${options.code} for ${exercise.id} on ${options.backend}` +
      (exercise.expectedMinutes
        ? `; the reference solution takes about ${exercise.expectedMinutes} min on a laptop CPU`
        : '') +
      ` (time limit ${timeLimitSeconds ?? exercise.limits.timeSeconds} s)`,
  );

  await initNodeBackend(options.backend as NodeBackendName);
  const outcome = await runExercise(
    { bundle, code, backend: options.backend as BackendName, timeLimitSeconds },
    {
      tf,
      datasetReader: (id) => fsDatasetReader(datasetFolder(id)),
      onEvent: progressPrinter(progress),
      candidateBackends: [options.backend as BackendName],
    },
  );

  if (!outcome.ok || !outcome.report) {
    const error = outcome.error!;
    const where = error.line ? ` at line ${error.line}${error.column ? `:${error.column}` : ''}` : '';
    const hint = error.hint ? `\n  hint: ${error.hint}` : '';
    throw new CliError(`${error.kind} error in ${options.code}${where}: ${error.message}${hint}`);
  }
  const report = outcome.report;
  const modelUnusable = report.checks.some(
    (c) => c.id.startsWith('model:') && !c.passed && c.id !== 'model:finite',
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatReport(report)}\n`);
  }
  if (modelUnusable) {
    const failed = report.checks.filter((c) => c.id.startsWith('model:') && !c.passed);
    throw new CliError(`the model does not fit the exercise: ${failed.map((c) => c.detail).join('; ')}`);
  }
  return report.passed ? 0 : 1;
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
        if (event.phase === 'grade') print('Grading on the test split...');
        break;
      default:
        break;
    }
  };
}
