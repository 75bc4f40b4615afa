/**
 * `cv-lab set validate <file.cvset.json>`: reads a set as CV Lab would (schema, bounds, private
 * test hashes, private cases run on the reference) and prints a summary, or the problem. Exit 0
 * valid, 2 not.
 */
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { findExercise, type Catalog } from '../../core/exercises/catalog';
import { gradingKeyOf } from '../../core/sandbox/run-cases';
import { errorMessage } from '../../core/shared/errors';
import { initNodeBackend } from '@cv-lab/runtime/node';
import {
  FormatError,
  MAX_SET_CHARS,
  parseSet,
  privateTestDataset,
  type CvSet,
} from '../../core/exercises/set';
import { DatasetError } from '../../core/datasets/errors';
import { readUntrustedText } from '../read-untrusted';
import { formatSize } from '../../core/shared/format-error';
import { stripControlCharacters } from '../../core/text/control-characters';
import { CliError } from '../cli-error';
import { readCatalog } from '../catalog';

/** Reads and parses a set file; any problem is a `CliError` naming the file (exit 2). */
export async function readSetFile(file: string): Promise<CvSet> {
  let text: string;
  try {
    text = await readUntrustedText(file, MAX_SET_CHARS, 'set');
  } catch (error) {
    if (error instanceof FormatError) throw new CliError(`${file}: ${error.message}`);
    throw new CliError(
      `${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return await parseSet(text);
  } catch (error) {
    if (error instanceof FormatError) throw new CliError(`${file}: ${error.message}`);
    throw error;
  }
}

/** Every exercise the set names must be one of the catalog's: a typo would leave learners nothing. */
function checkExercisesExist(file: string, set: CvSet, catalog: Catalog): void {
  const known = new Set(catalog.bundles.map((b) => b.exercise.id));
  const unknown = set.exercises.map((e) => e.id).filter((id) => !known.has(id));
  if (unknown.length) {
    throw new CliError(
      `${file}: set: names ${unknown.map((id) => `'${id}'`).join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not in the catalog (${[...known].join(', ')})`,
    );
  }
}

/**
 * Private cases belong to function exercises, call one of their functions and are answered by the
 * reference solution: each is run on it here, as the re-grade will, so a set that validates is one
 * whose private cases can be graded on.
 */
async function checkPrivateCases(file: string, set: CvSet, catalog: Catalog): Promise<void> {
  const withCases = set.exercises.filter((entry) => entry.privateCases);
  if (!withCases.length) return;
  await initNodeBackend('cpu');
  for (const entry of withCases) {
    const bundle = findExercise(catalog, entry.id)!;
    const where = `${file}: set: exercise '${entry.id}'`;
    if (bundle.exercise.kind !== 'function') {
      throw new CliError(
        `${where} is a ${bundle.exercise.kind} exercise; private cases belong to function exercises`,
      );
    }
    try {
      await gradingKeyOf(tf, bundle, entry.privateCases);
    } catch (error) {
      throw new CliError(`${where}: ${errorMessage(error)}`);
    }
  }
}

/**
 * Decodes the set's private test as grading will (every shard inflated, bounded by what its
 * manifest declares), so a set that validates is one whose private test can be graded on.
 */
async function checkPrivateTest(file: string, set: CvSet): Promise<void> {
  if (!set.privateTest) return;
  try {
    await privateTestDataset(set.privateTest);
  } catch (error) {
    if (error instanceof DatasetError || error instanceof FormatError) {
      throw new CliError(`${file}: set: privateTest ${error.message}`);
    }
    throw error;
  }
}

/** The summary `set validate` prints. */
export function describeSet(set: CvSet): string {
  const lines = [
    `Set: ${set.title}${set.author ? ` (by ${set.author})` : ''}`,
    `  id ${set.id}, created ${set.createdAt}${set.dueDate ? `, due ${set.dueDate}` : ''}`,
    `Exercises (${set.exercises.length}):`,
  ];
  set.exercises.forEach((entry, i) => {
    const overrides = [
      entry.targets
        ? `targets ${entry.targets.map((t) => `${t.split} ${t.metric} ${t.atLeast !== undefined ? `>= ${t.atLeast}` : `<= ${t.atMost}`}`).join(', ')}`
        : '',
      entry.limits ? `time limit ${entry.limits.timeSeconds} s` : '',
      entry.privateCases
        ? `${entry.privateCases.length} private case${entry.privateCases.length === 1 ? '' : 's'}`
        : '',
    ].filter(Boolean);
    lines.push(`  ${i + 1}. ${entry.id}${overrides.length ? ` (${overrides.join('; ')})` : ''}`);
  });
  if (set.exam?.enabled) {
    const w = set.exam.weights;
    lines.push(
      `Exam: ${set.exam.minutes} min, weights beginner ${w.beginner}, intermediate ${w.intermediate}, advanced ${w.advanced}`,
    );
  } else {
    lines.push('Exam: off');
  }
  if (set.privateTest) {
    const shards = [
      ...set.privateTest.manifest.splits.test.images,
      ...set.privateTest.manifest.splits.test.labels,
    ];
    const bytes = shards.reduce((sum, s) => sum + s.bytes, 0);
    lines.push(
      `Private test: ${set.privateTest.manifest.splits.test.count} images of ${set.privateTest.manifest.id}, ` +
        `${formatSize(bytes)} in ${shards.length} files, hashes verified, contents decoded`,
    );
  } else {
    lines.push('Private test: none (submissions are re-graded on the exercise test split)');
  }
  return lines.join('\n');
}

export function registerSetCommand(program: Command, setExitCode: (code: number) => void): void {
  const set = program.command('set').description('exercise sets (*.cvset.json)');
  set
    .command('validate')
    .description('check a set file and print its summary')
    .argument('<file>', 'the *.cvset.json file')
    .option('--exercises <folder>', 'the catalog the set is checked against (default: exercises/)')
    .action(async (file: string, options: { exercises?: string }) => {
      const parsed = await readSetFile(file);
      await checkPrivateTest(file, parsed);
      const catalog = await readCatalog(options.exercises);
      checkExercisesExist(file, parsed, catalog);
      await checkPrivateCases(file, parsed, catalog);
      process.stdout.write(`${stripControlCharacters(describeSet(parsed), { keepLineBreaks: true })}\n`);
      setExitCode(0);
    });
}
