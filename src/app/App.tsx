import { useEffect } from 'react';
import { CatalogPage } from './pages/CatalogPage';
import { ExercisePage } from './pages/ExercisePage';
import { SettingsPage } from './pages/SettingsPage';
import { routeHref, useRoute } from './routing';
import { useResultsStore } from './stores/results-store';
import { useRunStore } from './stores/run-store';

export function App() {
  const route = useRoute();
  const loadResults = useResultsStore((s) => s.load);
  const running = useRunStore((s) => s.status === 'running');

  useEffect(() => {
    void loadResults();
  }, [loadResults]);

  // Closing the tab ends the worker and its training: ask first.
  useEffect(() => {
    if (!running) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [running]);

  return (
    <div className="app">
      <header className="app-header">
        <a className="brand" href={routeHref.catalog}>
          CV Lab
        </a>
        <nav>
          <a href={routeHref.catalog} aria-current={route.page === 'catalog' ? 'page' : undefined}>
            Exercises
          </a>
          <a href={routeHref.settings} aria-current={route.page === 'settings' ? 'page' : undefined}>
            Settings
          </a>
        </nav>
        {running && <span className="header-running">Training…</span>}
      </header>
      <main className="app-main">
        {route.page === 'catalog' && <CatalogPage />}
        {route.page === 'exercise' && <ExercisePage key={route.exerciseId} exerciseId={route.exerciseId} />}
        {route.page === 'settings' && <SettingsPage />}
        {route.page === 'not-found' && (
          <section className="page">
            <h1>Page not found</h1>
            <p>
              Nothing lives at <code>{route.hash}</code>.{' '}
              <a href={routeHref.catalog}>Back to the exercises</a>.
            </p>
          </section>
        )}
      </main>
    </div>
  );
}
