/** Runs the `cv-lab` command as a user does: a spawned process, its exit code, stdout and stderr. */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cvLab(
  args: string[],
  {
    cwd = repoRoot,
    env = {},
    nodeArgs = [],
  }: { cwd?: string; env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [...nodeArgs, join(repoRoot, 'bin/cv-lab.js'), ...args], {
      cwd,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

export interface SubmissionCreateOptions {
  exercise: string;
  /** The learner's file. */
  code: string;
  name: string;
  out: string;
  /** Another catalog folder (`--exercises`), e.g. tests/fixtures/exercises. */
  exercises?: string;
  set?: string;
  seed?: number;
  quiet?: boolean;
}

/** `cv-lab submission create` as a learner runs it: the one set-up of every test that needs a real submission. */
export function createSubmission(options: SubmissionCreateOptions): Promise<CliResult> {
  return cvLab([
    'submission',
    'create',
    ...(options.exercises ? ['--exercises', options.exercises] : []),
    '--exercise',
    options.exercise,
    '--code',
    options.code,
    '--name',
    options.name,
    '--out',
    options.out,
    ...(options.set ? ['--set', options.set] : []),
    ...(options.seed !== undefined ? ['--seed', String(options.seed)] : []),
    ...(options.quiet ? ['-q'] : []),
  ]);
}
