/**
 * The one way to turn whatever was thrown into a sentence: an Error's message, anything else as
 * text. Shared by core, worker, app and CLI.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
