/**
 * The `cv-lab` command: the same core as the page, in Node, for team leads and CI.
 * Each sub-command lives in `commands/` and registers itself on the program.
 *
 * Exit codes, the same for every command: 0 success (a grade passed), 1 a grade failed,
 * 2 an error with a message on stderr (bad input, missing dataset, code that throws).
 */
import { Command, CommanderError } from 'commander';
import { registerDatasetsCommand } from './commands/datasets';
import { registerGradeCommand } from './commands/grade';
import { registerBenchCommand } from './commands/bench';
import { registerSetCommand } from './commands/set';
import { registerSubmissionCommand } from './commands/submission';
import { registerVerifyCommand } from './commands/verify';
import { registerModelsCommand } from './commands/models';
import { CliError } from './cli-error';
import { stripControlCharacters } from '../core/text/control-characters';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('cv-lab')
    .description('CV Lab: practise computer vision with real training')
    .exitOverride()
    .showHelpAfterError();
  let exitCode = 0;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  registerDatasetsCommand(program, setExitCode);
  registerGradeCommand(program, setExitCode);
  registerBenchCommand(program, setExitCode);
  registerSetCommand(program, setExitCode);
  registerSubmissionCommand(program, setExitCode);
  registerVerifyCommand(program, setExitCode);
  registerModelsCommand(program, setExitCode);
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      // Messages quote files from other people (names, titles, entries): no terminal escapes.
      process.stderr.write(`cv-lab: ${stripControlCharacters(error.message, { keepLineBreaks: true })}\n`);
      return error.exitCode;
    }
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`cv-lab: ${stripControlCharacters(text, { keepLineBreaks: true })}\n`);
    return 2;
  }
}
