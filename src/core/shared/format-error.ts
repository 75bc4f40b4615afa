/**
 * The error every file format read from another person throws (sets, submissions, model artifacts,
 * links), and the size text its messages use. Shared by exercises, models and the CLI.
 */

/** Anything wrong with a set, submission or link. `message` is one line a person can act on. */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

/** `512 B`, `3.2 KB`, `1.5 MB`: a size as messages print it. */
export function formatSize(chars: number): string {
  if (chars < 1024) return `${chars} B`;
  if (chars < 1024 * 1024) return `${(chars / 1024).toFixed(1)} KB`;
  return `${(chars / (1024 * 1024)).toFixed(1)} MB`;
}
