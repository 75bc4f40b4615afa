/**
 * Reads a file another person sent (a set, a submission) as text, bounded before any byte is
 * parsed: a device, a pipe or a file over the format's size is refused unread, and the read stops
 * at the size the check allowed even if the file grows meanwhile.
 */
import { open, stat } from 'node:fs/promises';
import { decodeTextFile, sniffTextEncoding } from '../core/exercises/format-io';
import { FormatError, formatSize } from '../core/shared/format-error';

/**
 * The text of `file`, whose format allows at most `maxChars` characters. Throws a `FormatError`
 * (naming `what`) for a file that is not a regular file, too large, or not UTF-8 or UTF-16 text;
 * a missing or unreadable file throws Node's error (with its `code`).
 */
export async function readUntrustedText(file: string, maxChars: number, what: string): Promise<string> {
  // Checked before opening: opening a named pipe would wait for a writer.
  const info = await stat(file);
  if (!info.isFile()) throw new FormatError(`${what}: not a regular file`);
  const handle = await open(file, 'r');
  try {
    const head = new Uint8Array(4);
    const { bytesRead: headBytes } = await handle.read(head, 0, 4, 0);
    // UTF-16 takes two bytes a character; UTF-8 at least one, plus a 3-byte byte-order mark.
    const maxBytes = sniffTextEncoding(head.subarray(0, headBytes)).startsWith('utf-16')
      ? 2 * maxChars + 2
      : maxChars + 3;
    if (info.size > maxBytes) {
      throw new FormatError(
        `${what}: the file is ${formatSize(info.size)}, larger than the ${formatSize(maxChars)} a ${what} may be`,
      );
    }
    const bytes = new Uint8Array(info.size);
    const { bytesRead } = await handle.read(bytes, 0, info.size, 0);
    return decodeTextFile(bytes.subarray(0, bytesRead), what);
  } finally {
    await handle.close();
  }
}
