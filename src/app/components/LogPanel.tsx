import { useEffect, useRef } from 'react';
import type { LogLine } from '../run/run-view';

/** The run's log; follows the newest line unless the learner scrolled up to read. */
export function LogPanel({ lines }: { lines: LogLine[] }) {
  const panelRef = useRef<HTMLDivElement>(null);
  const followRef = useRef(true);

  useEffect(() => {
    const panel = panelRef.current;
    if (panel && followRef.current) panel.scrollTop = panel.scrollHeight;
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
      {lines.map((line, index) => (
        <div key={index} className={`log-line log-${line.level}`}>
          <span className="log-time">{(line.at / 1000).toFixed(1)}s</span>
          <pre className="log-message">{line.message}</pre>
        </div>
      ))}
    </div>
  );
}
