/** Parsing of option values shared by several commands, each naming the flag when a value is wrong. */
import { isValidSeed, MAX_SEED } from '../core/shared/seed';
import { CliError } from './cli-error';

/** Parses a whole-number option, naming it when it is not one. */
export function wholeNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value)) throw new CliError(`${flag} must be a whole number, got '${text}'`);
  return value;
}

/** Parses a whole number of at least 1, naming the flag when it is not one. */
export function positiveWholeNumber(flag: string, text: string | undefined): number | undefined {
  const value = wholeNumber(flag, text);
  if (value !== undefined && value < 1) throw new CliError(`${flag} must be 1 or more, got '${text}'`);
  return value;
}

/** Parses a number above 0 (seconds, a learning rate), naming the flag when it is not one. */
export function positiveNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value))
    throw new CliError(`${flag} must be a number above 0, got '${text}'`);
  return value;
}

/** `--seed`: the seed of a learner run (core/shared/seed.ts), a whole number from 0 to 2^32 - 1. */
export function seedOption(text: string | undefined): number | undefined {
  const seed = wholeNumber('--seed', text);
  if (seed !== undefined && !isValidSeed(seed)) {
    throw new CliError(`--seed must be from 0 to ${MAX_SEED}, got '${text}'`);
  }
  return seed;
}

/** The help text of `--seed` on the commands that run learner code. */
export const SEED_HELP =
  'draw initial weights, dropout and shuffling from this seed, so the run can be repeated';
