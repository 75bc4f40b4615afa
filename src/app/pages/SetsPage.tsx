import { useEffect, useState } from 'react';
import { routeHref } from '../routing';
import { FileDrop } from '../teams/FileDrop';
import { SetConflictPanel, type SetConflict } from '../teams/SetConflictPanel';
import { attemptKey, useSetsStore, type ConflictChoice, type OpenedSet } from '../teams/sets-store';
import { errorMessage } from '../../core/shared/errors';

/** The learner's sets: open one from a file or a link, see the ones opened before. */
export function SetsPage() {
  const store = useSetsStore();
  const [errors, setErrors] = useState<string[]>([]);
  const [link, setLink] = useState('');
  /** Opened sets whose id is held by a different set, asked about one at a time. */
  const [conflicts, setConflicts] = useState<SetConflict[]>([]);
  const { load } = store;

  useEffect(() => {
    void load();
  }, [load]);

  const importFiles = async (files: File[]) => {
    const problems: string[] = [];
    const outcomes: OpenedSet[] = [];
    for (const file of files) {
      try {
        outcomes.push(await store.importText(await file.text()));
      } catch (error) {
        problems.push(`${file.name}: ${errorMessage(error)}`);
      }
    }
    setErrors(problems);
    showOutcomes(outcomes, problems.length === 0);
  };

  const importLink = async () => {
    try {
      const outcome = await store.importLink(link.trim());
      setErrors([]);
      showOutcomes([outcome], true);
    } catch (error) {
      setErrors([errorMessage(error)]);
    }
  };

  /** One set opened cleanly: show it; conflicts: ask about each. */
  const showOutcomes = (outcomes: OpenedSet[], noProblems: boolean) => {
    const asked = outcomes.flatMap((o) => (o.kind === 'conflict' ? [o] : []));
    setConflicts((queue) => [...queue, ...asked]);
    if (outcomes.length === 1 && outcomes[0].kind === 'kept' && noProblems)
      window.location.hash = routeHref.set(outcomes[0].set.id);
  };

  const choose = async (conflict: SetConflict, choice: ConflictChoice) => {
    setConflicts((queue) => queue.filter((c) => c !== conflict));
    await store.keepOpened(conflict.incoming, choice);
  };

  const sets = Object.values(store.sets).sort((a, b) => b.importedAt.localeCompare(a.importedAt));
  return (
    <section className="page sets-page">
      <h1>Exercise sets</h1>
      <p className="lead">
        Open a set your team lead gave you, as a <code>.cvset.json</code> file or a link. Sets stay in this
        browser. Team leads: <a href={routeHref.setBuilder}>build a set</a> or open the{' '}
        <a href={routeHref.roster}>roster</a>.
      </p>
      {store.error && (
        <div className="notice notice-error" data-testid="sets-error">
          <p>{store.error}</p>
          {Object.keys(store.sets).length === 0 && (
            <button
              type="button"
              className="button"
              data-testid="sets-reset"
              onClick={() => {
                if (
                  window.confirm(
                    'Delete the sets stored in this browser and start afresh? Your drafts, results and trained models are kept.',
                  )
                )
                  void store.reset();
              }}
            >
              Start the sets afresh (drafts and results are kept)
            </button>
          )}
        </div>
      )}
      <div className="import-row">
        <FileDrop
          onFiles={(files) => void importFiles(files)}
          accept=".json"
          multiple
          testId="set-file-input"
        >
          Drop a <strong>.cvset.json</strong> here, or choose a file:
        </FileDrop>
        <form
          className="link-form"
          onSubmit={(event) => {
            event.preventDefault();
            void importLink();
          }}
        >
          <label>
            Or paste a set link{' '}
            <input
              value={link}
              onChange={(event) => setLink(event.target.value)}
              placeholder="https://…#set=…"
              data-testid="set-link-input"
            />
          </label>
          <button type="submit" className="button" disabled={!link.trim()}>
            Open
          </button>
        </form>
      </div>
      {conflicts[0] && (
        <SetConflictPanel
          key={conflicts[0].incoming.id}
          conflict={conflicts[0]}
          onChoose={(choice) => void choose(conflicts[0], choice)}
          onCancel={() => setConflicts((queue) => queue.slice(1))}
        />
      )}
      {errors.length > 0 && (
        <div className="notice notice-error" role="alert" data-testid="set-import-error">
          <strong>Could not open:</strong>
          <ul>
            {errors.map((error) => (
              <li key={error}>{error}</li>
            ))}
          </ul>
          Your other sets and your work are unchanged.
        </div>
      )}
      {store.loaded && sets.length === 0 && <p>No sets opened yet.</p>}
      <ul className="set-list" data-testid="set-list">
        {sets.map(({ set }) => {
          const passed = set.exercises.filter(
            (e) => store.attempts[attemptKey(set.id, e.id)]?.report.passed,
          ).length;
          return (
            <li key={set.id} className="set-card" data-set-id={set.id}>
              <a className="exercise-card-title" href={routeHref.set(set.id)}>
                {set.title}
              </a>
              <span className="set-card-meta">
                {set.author && `by ${set.author} · `}
                {set.exercises.length} exercise{set.exercises.length === 1 ? '' : 's'}
                {set.dueDate && ` · due ${new Date(set.dueDate).toLocaleDateString()}`}
                {set.exam?.enabled && ` · exam, ${set.exam.minutes} min`}
              </span>
              <span className="set-card-progress">
                {passed}/{set.exercises.length} passed
              </span>
              <button
                type="button"
                className="button button-small"
                onClick={() => {
                  if (
                    window.confirm(`Remove the set "${set.title}" and its recorded runs from this browser?`)
                  )
                    void store.remove(set.id);
                }}
              >
                Remove
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/**
 * `#set=…`: opens the set a link carries, keeps it, and shows it; a different set already held
 * under its id is left as it is until the learner chooses (the link stays, so a reload asks again).
 */
export function SetLinkPage() {
  const importLink = useSetsStore((s) => s.importLink);
  const keepOpened = useSetsStore((s) => s.keepOpened);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<SetConflict | null>(null);
  useEffect(() => {
    let cancelled = false;
    void importLink(window.location.href).then(
      (outcome) => {
        if (cancelled) return;
        if (outcome.kind === 'kept') window.location.replace(routeHref.set(outcome.set.id));
        else setConflict(outcome);
      },
      (thrown: unknown) => !cancelled && setError(errorMessage(thrown)),
    );
    return () => {
      cancelled = true;
    };
  }, [importLink]);
  const choose = async (choice: ConflictChoice) => {
    if (!conflict) return;
    const kept = await keepOpened(conflict.incoming, choice);
    window.location.replace(routeHref.set(kept.id));
  };
  return (
    <section className="page">
      <h1>Opening a set</h1>
      {error ? (
        <p className="notice notice-error" role="alert" data-testid="set-import-error">
          {error}. <a href={routeHref.sets}>Your sets</a>
        </p>
      ) : conflict ? (
        <SetConflictPanel
          conflict={conflict}
          onChoose={(choice) => void choose(choice)}
          onCancel={() => window.location.replace(routeHref.sets)}
        />
      ) : (
        <p>Reading the link…</p>
      )}
    </section>
  );
}
