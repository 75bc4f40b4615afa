/**
 * `cv-lab submission create --exercise <id> --code <file> --name <learner> [--set s.cvset.json]
 * --out <file.cvsub.json>`: trains the learner's file like `grade --exercise`, then writes the
 * submission (code, report, history, environment, and the trained model with its hashes), the same
 * file the page exports. Exit 0 written (whether the run passed or not), 2 an error.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildSubmission, FormatError, serializeSubmission } from '../../core/exercises/submission';
import { repoRoot } from '../catalog';
import { CliError } from '../cli-error';
import { assertModelUsable, NODE_BACKENDS, trainLearnerFile } from './grade';
import { readSetFile } from './set';
import { setHash } from '../../core/exercises/set';
import { SEED_HELP } from '../options';

interface CreateOptions {
  exercise?: string;
  code?: string;
  name: string;
  set?: string;
  out: string;
  backend: string;
  timeLimit?: string;
  quiet?: boolean;
  exercises?: string;
  seed?: string;
}

async function cvLabVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

async function createSubmission(options: CreateOptions): Promise<number> {
  const set = options.set ? await readSetFile(options.set) : undefined;
  const { report, outcome, code, model, bundle } = await trainLearnerFile({
    ...options,
    set,
    keepModel: true,
  });
  assertModelUsable(report);
  // Function exercises and quizzes are graded on their code: their submissions carry no model.
  if (bundle.exercise.kind === 'train' && !model) throw new CliError('the run returned no model to store');
  let text: string;
  try {
    const submission = await buildSubmission({
      learnerName: options.name,
      // No exam window: the command line runs no exam, so an exam set's lead sees `out-of-exam`.
      ...(set ? { set: { id: set.id, title: set.title, hash: await setHash(set) } } : {}),
      code,
      report,
      history: outcome.history,
      environment: {
        backend: outcome.backend,
        userAgent: `node ${process.version} (${process.platform})`,
        cvLabVersion: await cvLabVersion(),
        timings: { trainSeconds: report.timings.trainSeconds, gradeSeconds: report.timings.gradeSeconds },
        ...(outcome.seed !== undefined ? { seed: outcome.seed } : {}),
      },
      model,
    });
    text = serializeSubmission(submission);
  } catch (error) {
    if (error instanceof FormatError) throw new CliError(error.message);
    throw error;
  }
  await writeFile(options.out, text);
  if (!options.quiet) {
    process.stderr.write(
      `Wrote ${options.out}: ${report.passed ? 'passed' : 'not passed'}, score ${report.score.toFixed(1)}, ` +
        `model ${report.modelHash.slice(0, 12)}\n`,
    );
  }
  return 0;
}

export function registerSubmissionCommand(program: Command, setExitCode: (code: number) => void): void {
  const submission = program.command('submission').description('submission files (*.cvsub.json)');
  submission
    .command('create')
    .description('train a learner file and write it as a submission file')
    .requiredOption('-e, --exercise <id>', 'exercise id')
    .requiredOption('-c, --code <file>', "the learner's TypeScript file")
    .requiredOption('-n, --name <learner>', "the learner's name")
    .requiredOption('-o, --out <file>', 'the submission to write (*.cvsub.json)')
    .option('--set <file>', 'the set this submission answers (*.cvset.json): its overrides apply')
    .option('-b, --backend <name>', `backend: ${NODE_BACKENDS.join(' or ')}`, 'wasm')
    .option(
      '--time-limit <seconds>',
      "lower the exercise's time limit to this many seconds (it cannot be raised); code that " +
        'does not return by then is stopped',
    )
    .option('--seed <n>', SEED_HELP)
    .option('-q, --quiet', 'no progress on stderr')
    .option('--exercises <folder>', 'read exercises from this folder instead of the built-in catalog')
    .action(async (options: CreateOptions) => {
      setExitCode(await createSubmission(options));
    });
}
