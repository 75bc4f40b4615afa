import type { Command } from 'commander';

export function registerGradeCommand(program: Command, _setExitCode: (code: number) => void): void {
  void program;
}
