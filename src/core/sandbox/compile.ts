/**
 * Turns the learner's TypeScript module into something we can call, keeping line numbers.
 *
 * Sucrase strips the types and turns `import`/`export` into CommonJS without moving any code to
 * another line, so a line in the error's stack is the line the learner sees in the editor. The
 * module is evaluated with `new Function`, named `learner.ts` through `//# sourceURL` so stack
 * frames from learner code can be told apart from ours.
 */
import { transform } from 'sucrase';
import type { LearnerErrorInfo } from './events';
import { explainTfError } from './explain-error';
import { errorMessage } from '../shared/errors';

export const LEARNER_FILE = 'learner.ts';

/** An error in the learner's code, with the line in their file when we could find it. */
export class LearnerError extends Error {
  constructor(readonly info: LearnerErrorInfo) {
    super(info.line ? `${info.message} (line ${info.line})` : info.message);
    this.name = 'LearnerError';
  }
}

export type LearnerModule = Record<string, unknown>;

/**
 * Compiles and evaluates `code`. `modules` are what the learner may import, by specifier
 * (`@tensorflow/tfjs`, `cv-lab`). Throws `LearnerError` of kind `compile` for syntax errors,
 * unknown imports, and errors thrown while the module body runs.
 */
export function compileLearnerModule(code: string, modules: Record<string, unknown>): LearnerModule {
  let js: string;
  try {
    js = transform(code, { transforms: ['typescript', 'imports'], filePath: LEARNER_FILE }).code;
  } catch (error) {
    throw new LearnerError(syntaxErrorInfo(error));
  }
  const exports: LearnerModule = {};
  const module = { exports };
  const require = (specifier: string): unknown => {
    if (specifier in modules) return modules[specifier];
    throw new LearnerError({
      kind: 'compile',
      message: `Cannot import '${specifier}': exercises can import ${Object.keys(modules)
        .map((m) => `'${m}'`)
        .join(' and ')}; everything else comes through lab.tf and lab.data`,
    });
  };
  let body: (exports: LearnerModule, require: (s: string) => unknown, module: unknown) => void;
  try {
    body = new Function(
      'exports',
      'require',
      'module',
      `${js}\n//# sourceURL=${LEARNER_FILE}`,
    ) as typeof body;
  } catch (error) {
    throw new LearnerError({ kind: 'compile', message: String((error as Error).message ?? error) });
  }
  try {
    body(exports, require, module);
  } catch (error) {
    if (error instanceof LearnerError) throw error;
    throw new LearnerError(describeLearnerError(error, 'compile'));
  }
  return module.exports;
}

/** Sucrase reports syntax errors as `Unexpected token (5:10)`: line 1-based, column 0-based. */
function syntaxErrorInfo(error: unknown): LearnerErrorInfo {
  const message = errorMessage(error);
  const where = /\((\d+):(\d+)\)\s*$/.exec(message);
  return {
    kind: 'compile',
    message: `Syntax error: ${message.replace(/^Error transforming [^:]*: /, '').replace(/\s*\(\d+:\d+\)\s*$/, '')}`,
    line: where ? Number(where[1]) : undefined,
    column: where ? Number(where[2]) + 1 : undefined,
  };
}

/**
 * How many lines `new Function` puts before the body. V8 adds two (`function anonymous(...`
 * and `) {`), other engines may differ, so we measure it once instead of assuming.
 */
let functionHeaderLines: number | undefined;
function headerLines(): number {
  if (functionHeaderLines === undefined) {
    try {
      new Function(`throw new Error('probe')\n//# sourceURL=${LEARNER_FILE}`)();
    } catch (error) {
      const line = learnerFrame(error)?.line;
      functionHeaderLines = line === undefined ? 2 : line - 1;
    }
  }
  return functionHeaderLines ?? 2;
}

function learnerFrame(error: unknown): { line: number; column: number } | undefined {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const escaped = LEARNER_FILE.replace('.', '\\.');
  const match = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(stack);
  return match ? { line: Number(match[1]), column: Number(match[2]) } : undefined;
}

/** Describes an error thrown by learner code, with its line in the learner's file when known. */
export function describeLearnerError(
  error: unknown,
  kind: LearnerErrorInfo['kind'] = 'runtime',
): LearnerErrorInfo {
  if (error instanceof LearnerError) return error.info;
  const message =
    error instanceof Error
      ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
      : String(error);
  const frame = learnerFrame(error);
  const offset = headerLines();
  // A tfjs shape, dtype or loss mismatch gets its explanation and fix (explain-error.ts).
  const hint = explainTfError(message);
  return {
    kind,
    message,
    line: frame ? frame.line - offset : undefined,
    column: frame?.column,
    ...(hint ? { hint } : {}),
  };
}
