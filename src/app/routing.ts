/**
 * Hash routing: `#/`, `#/exercise/<id>`, `#/settings`. The hash keeps links working from a
 * static server with no rewrite rules. Exercise briefs link to the Keras reference as
 * `#/keras-to-tfjs` (`kerasReferenceHref`), which the sanitised markdown keeps as an in-app link.
 */
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'catalog' }
  | { page: 'exercise'; exerciseId: string }
  | { page: 'settings' }
  // Team leads and their sets (issue 5): learner's sets, a set, a set's exercise, a set link,
  // the set builder, the roster.
  | { page: 'sets' }
  | { page: 'set'; setId: string }
  | { page: 'set-exercise'; setId: string; exerciseId: string }
  | { page: 'set-link' }
  | { page: 'set-builder' }
  | { page: 'roster' }
  // Datasets (cache, import) and backup (issue 6).
  | { page: 'datasets' }
  | { page: 'backup' }
  // The Keras-to-tfjs reference (issue 13), bundled from docs/keras-to-tfjs.md.
  | { page: 'keras-to-tfjs' }
  // Exam practice (issue 14): the exam-shaped tasks under one time box.
  | { page: 'exam-practice' }
  | { page: 'not-found'; hash: string };

/** Where the Keras-to-tfjs reference lives: every exercise brief links here. */
export const kerasReferenceHref = '#/keras-to-tfjs';

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '') return { page: 'catalog' };
  if (path === '/settings') return { page: 'settings' };
  if (path === '/datasets') return { page: 'datasets' };
  if (path === '/backup') return { page: 'backup' };
  if (path === '/keras-to-tfjs') return { page: 'keras-to-tfjs' };
  if (path === '/exam-practice') return { page: 'exam-practice' };
  if (path.startsWith('set=')) return { page: 'set-link' };
  if (path === '/sets') return { page: 'sets' };
  if (path === '/sets/new') return { page: 'set-builder' };
  if (path === '/roster') return { page: 'roster' };
  const set = /^\/set\/([A-Za-z0-9_-]{1,64})(?:\/exercise\/([a-z0-9][a-z0-9-]*))?$/.exec(path);
  if (set?.[2]) return { page: 'set-exercise', setId: set[1], exerciseId: set[2] };
  if (set) return { page: 'set', setId: set[1] };
  const exercise = /^\/exercise\/([a-z0-9][a-z0-9-]*)$/.exec(path);
  if (exercise) return { page: 'exercise', exerciseId: exercise[1] };
  return { page: 'not-found', hash };
}

export const routeHref = {
  catalog: '#/',
  settings: '#/settings',
  datasets: '#/datasets',
  backup: '#/backup',
  kerasToTfjs: kerasReferenceHref,
  examPractice: '#/exam-practice',
  exercise: (id: string) => `#/exercise/${id}`,
  sets: '#/sets',
  set: (id: string) => `#/set/${id}`,
  setExercise: (setId: string, exerciseId: string) => `#/set/${setId}/exercise/${exerciseId}`,
  setBuilder: '#/sets/new',
  roster: '#/roster',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
