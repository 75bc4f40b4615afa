/**
 * Hash routing: `#/`, `#/exercise/<id>`, `#/settings`. The hash keeps links working from a
 * static server with no rewrite rules.
 */
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'catalog' }
  | { page: 'exercise'; exerciseId: string }
  | { page: 'settings' }
  | { page: 'not-found'; hash: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '') return { page: 'catalog' };
  if (path === '/settings') return { page: 'settings' };
  const exercise = /^\/exercise\/([a-z0-9][a-z0-9-]*)$/.exec(path);
  if (exercise) return { page: 'exercise', exerciseId: exercise[1] };
  return { page: 'not-found', hash };
}

export const routeHref = {
  catalog: '#/',
  settings: '#/settings',
  exercise: (id: string) => `#/exercise/${id}`,
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
