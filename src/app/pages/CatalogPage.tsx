import type { Target } from '../../core/exercises/schema';
import { catalogErrors, exerciseBundles } from '../catalog';
import { ResultBadge } from '../components/ResultBadge';
import { routeHref } from '../routing';
import { useResultsStore } from '../stores/results-store';

/** `test accuracy ≥ 0.9`: what a run must reach to pass. */
export function describeTarget(target: Target): string {
  const bound = target.atLeast !== undefined ? `≥ ${target.atLeast}` : `≤ ${target.atMost}`;
  return `${target.split} ${target.metric} ${bound}`;
}

export function CatalogPage() {
  const results = useResultsStore((s) => s.results);
  const storageError = useResultsStore((s) => s.error);

  return (
    <section className="page catalog-page">
      <h1>Exercises</h1>
      <p className="lead">
        Write TensorFlow.js code, train it in this browser and get it graded on a held-out test set.
      </p>
      {storageError && <p className="notice notice-error">{storageError}</p>}
      {catalogErrors.length > 0 && (
        <div className="notice notice-error" role="alert">
          <strong>Some exercises could not be loaded:</strong>
          <ul>
            {catalogErrors.map((error) => (
              <li key={error}>{error}</li>
            ))}
          </ul>
        </div>
      )}
      {exerciseBundles.length === 0 && catalogErrors.length === 0 && <p>No exercises are installed.</p>}
      <ul className="exercise-list">
        {exerciseBundles.map(({ exercise }) => (
          <li key={exercise.id} className="exercise-card" data-exercise-id={exercise.id}>
            <a className="exercise-card-link" href={routeHref.exercise(exercise.id)}>
              <span className="exercise-card-title">{exercise.title}</span>
            </a>
            <dl className="exercise-meta">
              <div>
                <dt>Category</dt>
                <dd>{exercise.category}</dd>
              </div>
              <div>
                <dt>Level</dt>
                <dd>{exercise.difficulty}</dd>
              </div>
              {exercise.dataset && (
                <div>
                  <dt>Dataset</dt>
                  <dd>{exercise.dataset}</dd>
                </div>
              )}
              {exercise.expectedMinutes !== undefined && (
                <div>
                  <dt>Training time</dt>
                  <dd>about {exercise.expectedMinutes} min</dd>
                </div>
              )}
            </dl>
            {exercise.targets.length > 0 && (
              <p className="exercise-targets">To pass: {exercise.targets.map(describeTarget).join(', ')}</p>
            )}
            <ResultBadge result={results[exercise.id]} />
          </li>
        ))}
      </ul>
    </section>
  );
}
