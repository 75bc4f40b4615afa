import { memo, useEffect, useRef } from 'react';
import type { LogLine } from '../run/run-view';

/** One line: a line never changes once logged, so it renders once. */
const LogRow = memo(function LogRow({ line }: { line: LogLine }) {
  return (
    <div className={`log-line log-${line.level}`}>
      <span className="log-time">{(line.at / 1000).toFixed(1)}s</span>
      <pre className="log-message">{line.message}</pre>
    </div>
  );
});

/**
 * The run's log; follows the newest line unless the learner scrolled up to read. It holds the newest
 * `logLineLimit` lines (run/run-view.ts), and says how many earlier ones it no longer shows.
 */
export const LogPanel = memo(function LogPanel({
  lines,
  dropped = 0,
}: {
  lines: LogLine[];
  dropped?: number;
}) {
  const panelRef = useRef<HTMLDivElement>(null);
  const followRef = useRef(true);

  useEffect(() => {
    // In the next frame, where the page lays out anyway: read in the commit, `scrollHeight` would
    // force a layout of the whole page inside the task that rendered the lines.
    const frame = requestAnimationFrame(() => {
      const panel = panelRef.current;
      if (panel && followRef.current) panel.scrollTop = panel.scrollHeight;
    });
    return () => cancelAnimationFrame(frame);
  }, [lines]);

  return (
    <div
      className="log-panel"
      ref={panelRef}
      data-testid="log-panel"
      role="log"
      aria-live="polite"
      onScroll={(event) => {
        const panel = event.currentTarget;
        followRef.current = panel.scrollHeight - panel.scrollTop - panel.clientHeight < 24;
      }}
    >
      {lines.length === 0 && <div className="log-empty">The run's messages appear here.</div>}
      {dropped > 0 && (
        <div className="log-empty" data-testid="log-dropped">
          {dropped} earlier {dropped === 1 ? 'line' : 'lines'} not shown.
        </div>
      )}
      {lines.map((line, index) => (
        // Keys count from the run's first line, so dropping old lines keeps the others' rows.
        <LogRow key={dropped + index} line={line} />
      ))}
    </div>
  );
});
