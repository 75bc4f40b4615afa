/**
 * An exercise's `hints.md` as separate hints, revealed one at a time (HintsPanel): each top-level
 * list item (`- ` or `* ` at the start of a line) is a hint, with the indented lines under it.
 * Text before the first item, or a file without a list, is one hint of its own.
 */
export function splitHints(markdown: string): string[] {
  const hints: string[] = [];
  let current: string[] = [];
  const close = () => {
    const text = current.join('\n').trim();
    if (text) hints.push(text);
    current = [];
  };
  for (const line of markdown.split(/\r?\n/)) {
    const item = /^[-*] +(.*)$/.exec(line);
    if (item) {
      close();
      current.push(item[1]);
    } else {
      current.push(line.replace(/^ {2}/, ''));
    }
  }
  close();
  return hints;
}
