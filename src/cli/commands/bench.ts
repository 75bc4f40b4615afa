import type { Command } from 'commander';

export function registerBenchCommand(program: Command, _setExitCode: (code: number) => void): void {
  void program;
}
