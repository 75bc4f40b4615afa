import type { CvSet } from '../../core/exercises/set';
import { findExercise } from '../catalog';
import { freeSetId, setDifferences } from './set-conflict';
import { useSetsStore, type ConflictChoice } from './sets-store';

export interface SetConflict {
  existing: CvSet;
  incoming: CvSet;
}

/**
 * A set opened under an id already held, and different: both versions side by side and the choice.
 * Keeping both is the default (the first button, focused); replacing is spelt out.
 */
export function SetConflictPanel({
  conflict,
  onChoose,
  onCancel,
}: {
  conflict: SetConflict;
  onChoose(choice: ConflictChoice): void;
  onCancel(): void;
}) {
  const { existing, incoming } = conflict;
  const held = useSetsStore((s) => s.sets);
  const newId = freeSetId(incoming.id, (id) => id in held);
  const differences = setDifferences(existing, incoming, (id) => findExercise(id)?.exercise);
  return (
    <div
      className="notice set-conflict"
      role="alertdialog"
      aria-label="A set with this id is open already"
      data-testid="set-conflict"
    >
      <p>
        <strong>
          You already have a set with the id <code>{incoming.id}</code>
        </strong>
        , and the one you opened differs from it. Your set, its recorded runs and its exam clock stay as they
        are unless you replace it.
      </p>
      <table className="data-table">
        <thead>
          <tr>
            <th />
            <th>Your set</th>
            <th>The one you opened</th>
          </tr>
        </thead>
        <tbody>
          {differences.map((d) => (
            <tr key={d.what} data-difference={d.what}>
              <th scope="row">{d.what}</th>
              <td>{d.existing}</td>
              <td>{d.incoming}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="set-conflict-actions">
        <button
          type="button"
          className="button button-primary"
          autoFocus
          data-testid="set-conflict-keep-both"
          onClick={() => onChoose('keep-both')}
        >
          Keep both (the opened one as {newId})
        </button>
        <button
          type="button"
          className="button"
          data-testid="set-conflict-replace"
          onClick={() => onChoose('replace')}
        >
          Replace my set with the opened one
        </button>
        <button type="button" className="button" data-testid="set-conflict-cancel" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
