import { useState } from 'react';
import { categories, type Exercise, type ExerciseCard } from '../../core/exercises/schema';
import { downloadNote } from '../../core/datasets/downloads';
import { describeBands } from '../../core/exercises/score';
import { describeTargets } from '../../core/grading/target-text';
import { catalogErrors, exerciseCards } from '../catalog';
import { categorySections } from '../categories';
import { ResultBadge } from '../components/ResultBadge';
import { trainingTime } from '../components/training-time';
import { routeHref } from '../routing';
import { useResultsStore } from '../stores/results-store';

type Category = Exercise['category'];

const KIND_LABELS: Record<Exercise['kind'], string> = {
  train: 'train a model',
  function: 'write functions',
  quiz: 'quiz',
};

/** The catalog's bundles (already in path order) grouped by category, empty categories left out. */
function sections(bundles: ExerciseCard[]): { category: Category; bundles: ExerciseCard[] }[] {
  return categories
    .map((category) => ({ category, bundles: bundles.filter((b) => b.exercise.category === category) }))
    .filter((section) => section.bundles.length > 0);
}

export function CatalogPage() {
  const results = useResultsStore((s) => s.results);
  const storageError = useResultsStore((s) => s.error);
  const [shown, setShown] = useState<Category | 'all'>('all');
  const all = sections(exerciseCards);
  const passedIn = (bundles: ExerciseCard[]) =>
    bundles.filter((b) => results[b.exercise.id]?.report.passed).length;

  return (
    <section className="page catalog-page">
      <h1>Exercises</h1>
      <p className="lead">
        Write TensorFlow.js code, train it in this browser and get it graded on a held-out test set. The
        sections run from the basics to transfer learning; within each, easier exercises come first.
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
      {exerciseCards.length === 0 && catalogErrors.length === 0 && <p>No exercises are installed.</p>}
      {all.length > 1 && (
        <div className="catalog-filter" role="group" aria-label="Show one category">
          <button type="button" aria-pressed={shown === 'all'} onClick={() => setShown('all')}>
            All{' '}
            <span className="muted">
              {passedIn(exerciseCards)}/{exerciseCards.length} passed
            </span>
          </button>
          {all.map(({ category, bundles }) => (
            <button
              key={category}
              type="button"
              aria-pressed={shown === category}
              data-category={category}
              onClick={() => setShown(category)}
            >
              {categorySections[category].title}{' '}
              <span className="muted">
                {passedIn(bundles)}/{bundles.length}
              </span>
            </button>
          ))}
        </div>
      )}
      {all
        .filter(({ category }) => shown === 'all' || shown === category)
        .map(({ category, bundles }) => (
          <section key={category} className="catalog-section" data-category={category}>
            <h2>
              {categorySections[category].title}{' '}
              <span className="muted catalog-progress">
                {passedIn(bundles)} of {bundles.length} passed
              </span>
            </h2>
            <p className="muted">{categorySections[category].about}</p>
            {category === 'exam' && (
              <p>
                <a
                  className="button button-primary"
                  href={routeHref.examPractice}
                  data-testid="open-exam-practice"
                >
                  Take them as a timed practice
                </a>
              </p>
            )}
            <ul className="exercise-list">
              {bundles.map(({ exercise }) => (
                <li key={exercise.id} className="exercise-card" data-exercise-id={exercise.id}>
                  <a className="exercise-card-link" href={routeHref.exercise(exercise.id)}>
                    <span className="exercise-card-title">{exercise.title}</span>
                  </a>
                  <dl className="exercise-meta">
                    <div>
                      <dt>Level</dt>
                      <dd>{exercise.difficulty}</dd>
                    </div>
                    <div>
                      <dt>Kind</dt>
                      <dd>{KIND_LABELS[exercise.kind]}</dd>
                    </div>
                    {exercise.dataset && (
                      <div>
                        <dt>Dataset</dt>
                        <dd>
                          {exercise.dataset}
                          {downloadNote(exercise.dataset) ? ` (${downloadNote(exercise.dataset)})` : ''}
                        </dd>
                      </div>
                    )}
                    {trainingTime(exercise, results[exercise.id]) && (
                      <div>
                        <dt>Training time</dt>
                        <dd data-testid="training-time">{trainingTime(exercise, results[exercise.id])}</dd>
                      </div>
                    )}
                  </dl>
                  {exercise.targets.length > 0 && (
                    <p className="exercise-targets">
                      To pass: {describeTargets(exercise.targets, exercise.kind)}
                    </p>
                  )}
                  {exercise.targetSource && !exercise.targetSource.measuredHere && (
                    <p className="exercise-target-source muted">
                      Targets from the course’s graders, not measured here
                    </p>
                  )}
                  {exercise.bands && (
                    <p className="exercise-targets" data-testid="exercise-bands">
                      Scored 1 to 5: {describeBands(exercise.bands)}
                    </p>
                  )}
                  <ResultBadge result={results[exercise.id]} />
                </li>
              ))}
            </ul>
          </section>
        ))}
    </section>
  );
}
