/**
 * "From Keras to tfjs" (issue 13): the exam's Keras Python beside the tfjs written here, and the Lab
 * API. The text is docs/keras-to-tfjs.md, bundled at build time (so the page works offline) and
 * rendered by the same sanitised Markdown component as the briefs.
 */
import { useEffect } from 'react';
import reference from '../../../docs/keras-to-tfjs.md?raw';
import { Markdown } from '../components/Markdown';

export function KerasReferencePage() {
  // Opened from a brief further down another page: start at the top.
  useEffect(() => window.scrollTo(0, 0), []);
  return (
    <section className="page reference-page" data-testid="keras-reference">
      <Markdown source={reference} className="reference" />
    </section>
  );
}
