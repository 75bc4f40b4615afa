/**
 * An exercise's hints, folded. They are not in the page's bundle: the first time the learner opens
 * them they load as their own file (app/catalog.ts), so a page that never shows them (an exam)
 * never holds them.
 */
import { useState } from 'react';
import { loadHints } from '../catalog';
import { errorMessage } from '../../core/shared/errors';
import { Markdown } from './Markdown';

type HintsState =
  { state: 'closed' | 'loading' } | { state: 'shown'; text: string } | { state: 'failed'; message: string };

export function HintsPanel({ exerciseId }: { exerciseId: string }) {
  const [hints, setHints] = useState<HintsState>({ state: 'closed' });
  const open = () => {
    if (hints.state !== 'closed' && hints.state !== 'failed') return;
    setHints({ state: 'loading' });
    loadHints(exerciseId).then(
      (text) => setHints({ state: 'shown', text }),
      (error: unknown) => setHints({ state: 'failed', message: errorMessage(error) }),
    );
  };
  return (
    <details
      className="hints"
      data-testid="hints"
      onToggle={(event) => {
        if (event.currentTarget.open) open();
      }}
    >
      <summary>Hints</summary>
      {hints.state === 'loading' && <p>Loading the hints…</p>}
      {hints.state === 'shown' && <Markdown source={hints.text} />}
      {hints.state === 'failed' && (
        <p className="notice notice-error" role="alert">
          The hints could not be loaded ({hints.message}). Offline, they are there once you have opened them
          online.
        </p>
      )}
    </details>
  );
}
