/**
 * Text from other people (a learner's name, a set's title, a class folder's name, a file's path)
 * reaches terminals and manifests. Control characters in it are instructions, not text: an escape
 * sequence can recolour or clear a terminal, move the cursor to overwrite what was printed, or set
 * the window title; a carriage return overwrites the line; bidirectional overrides make text read
 * differently from what it is. They are taken out before such text is printed or stored.
 */

// C0 controls, DEL and C1 controls (the 8-bit escape CSI is U+009B), and the bidi embeddings,
// overrides and isolates (U+202A to U+202E, U+2066 to U+2069).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_LINE_FEED = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export interface StripOptions {
  /** Keep line feeds (a multi-line message); carriage returns still go. */
  keepLineBreaks?: boolean;
}

/**
 * `text` without control characters. Tabs and line breaks become a space, so words they separated
 * stay apart; every other control character is removed.
 */
export function stripControlCharacters(text: string, options: StripOptions = {}): string {
  const pattern = options.keepLineBreaks ? CONTROL_BUT_LINE_FEED : CONTROL;
  return text.replace(pattern, (c) => (c === '\t' || c === '\n' || c === '\r' ? ' ' : ''));
}
