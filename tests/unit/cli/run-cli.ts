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
