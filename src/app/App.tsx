import { useEffect, useLayoutEffect, useRef } from 'react';
import { ExamPracticePage } from './exam-practice/ExamPracticePage';
import { OfflineStatus } from './offline/OfflineStatus';
import { BackupPage } from './pages/BackupPage';
import { CatalogPage } from './pages/CatalogPage';
import { DatasetsPage } from './pages/DatasetsPage';
import { ExercisePage } from './pages/ExercisePage';
import { KerasReferencePage } from './pages/KerasReferencePage';
import { RosterPage } from './pages/RosterPage';
import { SetBuilderPage } from './pages/SetBuilderPage';
import { SetPage } from './pages/SetPage';
import { SetLinkPage, SetsPage } from './pages/SetsPage';
import { SettingsPage } from './pages/SettingsPage';
import { routeHref, useRoute } from './routing';
import { useResultsStore } from './stores/results-store';
import { useRunStore } from './stores/run-store';
import { useSettingsStore } from './stores/settings-store';
import { useResolvedTheme } from './stores/theme';

/** Pages for team leads, kept apart from the learner's under the "Teams" menu. */
const teamPages = ['set-builder', 'roster'];

export function App() {
  const route = useRoute();
  const loadResults = useResultsStore((s) => s.load);
  const running = useRunStore((s) => s.status === 'running');
  const theme = useResolvedTheme();
  const setTheme = useSettingsStore((s) => s.setTheme);
  const teamsMenu = useRef<HTMLDetailsElement>(null);

  // Before paint, so a dark page does not flash light.
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
  }, [theme]);

  // The Teams menu closes once a page is chosen.
  useEffect(() => {
    if (teamsMenu.current) teamsMenu.current.open = false;
  }, [route]);

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
          <a href={routeHref.examPractice} aria-current={route.page === 'exam-practice' ? 'page' : undefined}>
            Exam practice
          </a>
          <a
            href={routeHref.sets}
            aria-current={['sets', 'set', 'set-exercise'].includes(route.page) ? 'page' : undefined}
          >
            Sets
          </a>
          <a href={routeHref.kerasToTfjs} aria-current={route.page === 'keras-to-tfjs' ? 'page' : undefined}>
            Keras to tfjs
          </a>
          <a href={routeHref.datasets} aria-current={route.page === 'datasets' ? 'page' : undefined}>
            Datasets
          </a>
          <a href={routeHref.backup} aria-current={route.page === 'backup' ? 'page' : undefined}>
            Backup
          </a>
          <a href={routeHref.settings} aria-current={route.page === 'settings' ? 'page' : undefined}>
            Settings
          </a>
          <details className="nav-menu" ref={teamsMenu} data-testid="teams-menu">
            <summary aria-current={teamPages.includes(route.page) ? 'page' : undefined}>Teams</summary>
            <div className="nav-menu-items">
              <a href={routeHref.setBuilder} aria-current={route.page === 'set-builder' ? 'page' : undefined}>
                Build a set
              </a>
              <a href={routeHref.roster} aria-current={route.page === 'roster' ? 'page' : undefined}>
                Roster
              </a>
            </div>
          </details>
        </nav>
        <button
          type="button"
          className="theme-toggle"
          data-testid="theme-toggle"
          aria-pressed={theme === 'dark'}
          title="Dark mode (Settings can follow the system instead)"
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
        >
          ☾ Dark mode
        </button>
        {running && <span className="header-running">Training…</span>}
        <OfflineStatus />
      </header>
      <main className="app-main">
        {route.page === 'catalog' && <CatalogPage />}
        {route.page === 'exercise' && <ExercisePage key={route.exerciseId} exerciseId={route.exerciseId} />}
        {route.page === 'settings' && <SettingsPage />}
        {route.page === 'datasets' && <DatasetsPage />}
        {route.page === 'backup' && <BackupPage />}
        {route.page === 'keras-to-tfjs' && <KerasReferencePage />}
        {route.page === 'exam-practice' && <ExamPracticePage />}
        {route.page === 'sets' && <SetsPage />}
        {route.page === 'set' && <SetPage key={route.setId} setId={route.setId} />}
        {route.page === 'set-exercise' && (
          <ExercisePage
            key={`${route.setId}/${route.exerciseId}`}
            exerciseId={route.exerciseId}
            setId={route.setId}
          />
        )}
        {route.page === 'set-link' && <SetLinkPage />}
        {route.page === 'set-builder' && <SetBuilderPage />}
        {route.page === 'roster' && <RosterPage />}
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
