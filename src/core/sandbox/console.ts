/**
 * Learner `console.log` (and info, warn, error, debug) inside the sandbox becomes log events of the
 * run, so prints reach the page's Log panel and the CLI's output as they happen. Tensors and arrays
 * print readably (`formatLogValue`); a line is cut at 2,000 characters and a run at 2,000 lines, so
 * a print in a tight loop cannot flood the host.
 */
import type { RunEvent } from './events';
import { formatLogValue } from './create-lab';

const MAX_LINE = 2000;
const MAX_LINES = 2000;

export function routeConsole(emit: (event: RunEvent) => void): void {
  let lines = 0;
  const levels = { log: 'info', info: 'info', debug: 'info', warn: 'warn', error: 'error' } as const;
  for (const [method, level] of Object.entries(levels)) {
    (console as unknown as Record<string, unknown>)[method] = (...values: unknown[]) => {
      lines += 1;
      if (lines > MAX_LINES) return;
      let message =
        lines === MAX_LINES
          ? `(more than ${MAX_LINES} lines printed; the rest are not shown)`
          : values.map(formatLogValue).join(' ');
      if (message.length > MAX_LINE)
        message = `${message.slice(0, MAX_LINE)}… (${message.length} characters)`;
      emit({ type: 'log', level, message });
    };
  }
}
