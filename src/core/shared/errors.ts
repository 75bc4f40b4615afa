/**
 * The one way to turn whatever was thrown into a sentence: an Error's message, anything else as
 * text. Shared by core, worker, app and CLI.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `errorMessage` with the cause's message after it: Node's fetch says only "fetch failed", and the
 * reason (`connect ECONNREFUSED ...`) is in its cause.
 */
export function errorMessageWithCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
