/**
 * An exercise's hints, folded, revealed one at a time and counted (stores/hints-store.ts: the count
 * goes into the run's report and the exam practice's table). They are not in the page's bundle:
 * the first time the learner opens the panel they load as their own file (app/catalog.ts), so a
 * page that never shows them (an exam) never holds them. Opening the panel reveals nothing.
 */
import { useState } from 'react';
import { loadHints } from '../catalog';
import { errorMessage } from '../../core/shared/errors';
import { useHintsStore } from '../stores/hints-store';
import { splitHints } from './hint-list';
import { Markdown } from './Markdown';

type HintsState =
  | { state: 'closed' | 'loading' }
  | { state: 'shown'; hints: string[] }
  | { state: 'failed'; message: string };

export function HintsPanel({ exerciseId }: { exerciseId: string }) {
  const [hints, setHints] = useState<HintsState>({ state: 'closed' });
  const revealed = useHintsStore((s) => s.revealed[exerciseId] ?? 0);
  const reveal = useHintsStore((s) => s.reveal);
  const open = () => {
    if (hints.state !== 'closed' && hints.state !== 'failed') return;
    setHints({ state: 'loading' });
    loadHints(exerciseId).then(
      (text) => setHints({ state: 'shown', hints: splitHints(text) }),
      (error: unknown) => setHints({ state: 'failed', message: errorMessage(error) }),
    );
  };
  const total = hints.state === 'shown' ? hints.hints.length : 0;
  const shown = Math.min(revealed, total);
  return (
    <details
      className="hints"
      data-testid="hints"
      onToggle={(event) => {
        if (event.currentTarget.open) open();
      }}
    >
      <summary>Hints{revealed > 0 && <span className="muted"> ({revealed} revealed)</span>}</summary>
      {hints.state === 'loading' && <p>Loading the hints…</p>}
      {hints.state === 'shown' && (
        <>
          <ol className="hint-list">
            {hints.hints.slice(0, shown).map((hint, i) => (
              <li key={i} data-testid="hint">
                <Markdown source={hint} />
              </li>
            ))}
          </ol>
          {shown < total ? (
            <p>
              <button
                type="button"
                className="button button-small"
                data-testid="reveal-hint"
                onClick={() => reveal(exerciseId, total)}
              >
                Reveal hint {shown + 1} of {total}
              </button>{' '}
              <span className="muted">Each hint you reveal is counted in your result.</span>
            </p>
          ) : (
            <p className="muted" data-testid="hints-all-revealed">
              All {total} hints revealed.
            </p>
          )}
        </>
      )}
      {hints.state === 'failed' && (
        <p className="notice notice-error" role="alert">
          The hints could not be loaded ({hints.message}). Offline, they are there once you have opened them
          online.
        </p>
      )}
    </details>
  );
}
