import type { Command } from 'commander';

export function registerDatasetsCommand(program: Command, _setExitCode: (code: number) => void): void {
  void program;
}
