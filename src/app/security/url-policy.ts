/**
 * Which links and images text from other people (set notes, exercise briefs, quiz prompts) may
 * carry. Pure: the page's sanitiser (`safe-markdown.ts`) asks it, and the unit tests run it in Node.
 */

export type LinkVerdict =
  /** A page of the app itself (`#/...`, or a relative path): opens in place. */
  | 'in-app'
  /** An http(s) or mailto address elsewhere: opens in a new tab that cannot reach back. */
  | 'external'
  /** Anything else (`javascript:`, `data:`, `//host` without a scheme, ...): the link is dropped. */
  | 'blocked';

/** Control characters and spaces browsers ignore inside a scheme (`java\tscript:`). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const IGNORED_IN_URL = /[\u0000-\u0020\u007f-\u009f]/g;

export function linkVerdict(href: string, origin: string): LinkVerdict {
  const compact = href.replace(IGNORED_IN_URL, '');
  if (compact === '') return 'blocked';
  if (compact.startsWith('#')) return 'in-app';
  // `//evil` and `\\evil` are other hosts spelt like paths; browsers read `\` as `/`.
  if (/^[\\/]{2}/.test(compact)) return 'blocked';
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(compact);
  let url: URL;
  try {
    url = new URL(compact, origin);
  } catch {
    return 'blocked';
  }
  if (!hasScheme) return url.origin === origin ? 'in-app' : 'blocked';
  if (url.protocol === 'mailto:') return 'external';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'blocked';
  return url.origin === origin ? 'in-app' : 'external';
}

/**
 * Images only from the app's own origin or inline `data:image/` (never a raster of SVG, which
 * can carry script in some viewers): an image on another host would tell that host who read what.
 */
export function imageAllowed(src: string, origin: string): boolean {
  const compact = src.replace(IGNORED_IN_URL, '');
  if (/^data:image\/(png|jpeg|gif|webp|avif|bmp);/i.test(compact)) return true;
  if (compact === '' || /^[\\/]{2}/.test(compact)) return false;
  try {
    const url = new URL(compact, origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin;
  } catch {
    return false;
  }
}
