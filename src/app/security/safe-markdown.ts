/**
 * Markdown from other people (set notes, exercise briefs and hints, quiz prompts) to HTML that can
 * only be read: an allow-list of text elements, no styling, forms, frames or embedded documents,
 * no attribute that could reuse the app's CSS for an overlay (`class`, `id`, `style`), links and
 * images as `url-policy.ts` allows them. External links open in a new tab that cannot reach back.
 */
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { imageAllowed, linkVerdict } from './url-policy';

/** What markdown produces, and nothing that can style, submit, embed or overlay. */
const ALLOWED_TAGS = [
  'a', 'abbr', 'b', 'blockquote', 'br', 'code', 'dd', 'del', 'details', 'dl', 'dt', 'em',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'kbd', 'li', 'ol', 'p', 'pre', 's',
  'samp', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead',
  'tr', 'ul', 'var',
]; // prettier-ignore

/** No `class`, `id` or `style`: the app's own CSS must not be reachable from a file. */
const ALLOWED_ATTR = ['href', 'src', 'alt', 'title', 'colspan', 'rowspan', 'align', 'start', 'open'];

let purifier: ReturnType<typeof DOMPurify> | null = null;

/** A DOMPurify instance of its own, so these hooks never touch another caller's sanitising. */
function markdownPurifier(): ReturnType<typeof DOMPurify> {
  if (purifier) return purifier;
  const instance = DOMPurify(window);
  instance.addHook('afterSanitizeAttributes', (node) => {
    const origin = window.location.origin;
    if (node.tagName === 'A') {
      const href = node.getAttribute('href');
      const verdict = href === null ? 'blocked' : linkVerdict(href, origin);
      if (verdict === 'blocked') node.removeAttribute('href');
      if (verdict === 'external') {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      } else {
        node.removeAttribute('target');
      }
    }
    if (node.tagName === 'IMG') {
      const src = node.getAttribute('src');
      // Kept as its alt text: the reader still sees what the image was.
      if (src === null || !imageAllowed(src, origin)) node.replaceWith(node.getAttribute('alt') ?? '');
    }
  });
  purifier = instance;
  return instance;
}

export function renderSafeMarkdown(source: string): string {
  const html = marked.parse(source, { async: false, gfm: true });
  return markdownPurifier().sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    // Other dropped elements leave their text; a dropped <style>, <svg>, <form>, <select> ...
    // (DOMPurify's list, plus these) takes its content with it: a phishing form's prompts too.
    KEEP_CONTENT: true,
    ADD_FORBID_CONTENTS: ['form', 'select', 'textarea', 'button', 'object', 'embed'],
  });
}
