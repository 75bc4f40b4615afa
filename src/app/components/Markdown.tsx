import { memo, useMemo } from 'react';
import { renderSafeMarkdown } from '../security/safe-markdown';

/** Markdown from an exercise, a set or a submission: rendered read-only (see `safe-markdown.ts`). */
export const Markdown = memo(function Markdown({
  source,
  className,
}: {
  source: string;
  className?: string;
}) {
  const html = useMemo(() => renderSafeMarkdown(source), [source]);
  return <div className={`markdown ${className ?? ''}`} dangerouslySetInnerHTML={{ __html: html }} />;
});
