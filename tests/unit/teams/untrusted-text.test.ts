/**
 * Text from other people on its way out: control characters stripped for terminals and manifests,
 * CSV cells defused for spreadsheets of every locale, and files decoded from UTF-8 or UTF-16.
 */
import { describe, expect, it } from 'vitest';
import { decodeTextFile, sniffTextEncoding } from '../../../src/core/exercises/format-io';
import { FormatError } from '../../../src/core/shared/format-error';
import { csvCell } from '../../../src/core/grading/roster';
import { stripControlCharacters } from '../../../src/core/text/control-characters';

describe('stripControlCharacters', () => {
  it('removes escapes, BEL, DEL, C1 controls and bidi overrides; tabs and line breaks become spaces', () => {
    expect(stripControlCharacters('\u001b[31mred\u001b[0m')).toBe('[31mred[0m');
    expect(stripControlCharacters('\u001b]0;title\u0007name')).toBe(']0;titlename');
    expect(stripControlCharacters('a\u009b2Jb\u007fc')).toBe('a2Jbc');
    expect(stripControlCharacters('evil\u202egpj.exe')).toBe('evilgpj.exe');
    expect(stripControlCharacters('Ada\tLove\r\nlace')).toBe('Ada Love  lace');
    expect(stripControlCharacters('Ada Lovelace, élève 学生')).toBe('Ada Lovelace, élève 学生');
  });

  it('keeps line feeds when asked (multi-line messages), never carriage returns', () => {
    expect(stripControlCharacters('one\ntwo\r\u001b[2K', { keepLineBreaks: true })).toBe('one\ntwo [2K');
  });
});

describe('csvCell', () => {
  it('defuses formulas at the start, after spaces, and after a separator of any locale', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell(' =1+1')).toBe("' =1+1");
    expect(csvCell("x;=cmd|' /C calc'!A0")).toBe(`"'x;=cmd|' /C calc'!A0"`);
    expect(csvCell('x, @SUM(A1)')).toBe(`"'x, @SUM(A1)"`);
    expect(csvCell('a;\t-2')).toBe(`"'a;\t-2"`);
    expect(csvCell('＝1+1')).toBe("'＝1+1");
  });

  it('quotes separators of any locale and leaves plain text alone', () => {
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('Smith, Ada')).toBe('"Smith, Ada"');
    expect(csvCell('C-3PO = robot')).toBe('C-3PO = robot');
    expect(csvCell('0.9312')).toBe('0.9312');
  });
});

describe('decodeTextFile', () => {
  const json = '{"a":"é"}';
  it('reads UTF-8 with or without a BOM, and UTF-16 of either byte order', () => {
    expect(decodeTextFile(new TextEncoder().encode(json), 'set')).toBe(json);
    expect(decodeTextFile(new TextEncoder().encode(`\ufeff${json}`), 'set')).toBe(json);
    expect(decodeTextFile(Buffer.from(`\ufeff${json}`, 'utf16le'), 'set')).toBe(json);
    expect(decodeTextFile(Buffer.from(json, 'utf16le'), 'set')).toBe(json);
    const be = Buffer.from(`\ufeff${json}`, 'utf16le').swap16();
    expect(sniffTextEncoding(be)).toBe('utf-16be');
    expect(decodeTextFile(be, 'set')).toBe(json);
  });

  it('refuses invalid bytes instead of replacing them', () => {
    expect(() => decodeTextFile(Uint8Array.from([0x7b, 0xff, 0x7d]), 'set')).toThrow(
      new FormatError('set: not UTF-8 text (invalid bytes); save the file as UTF-8 and try again'),
    );
  });
});
