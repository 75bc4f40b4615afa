import type { LearnerErrorInfo } from '../../core/sandbox/events';
import { routeHref } from '../routing';
import { runErrorHelp } from '../run/run-view';

/**
 * The help under a run's error (run-view.ts `runErrorHelp`): the hint in words, and for a dataset
 * that could not be fetched, whether the lab is offline and a link to the Datasets page.
 */
export function RunErrorHelp({ error }: { error: LearnerErrorInfo }) {
  const online = typeof navigator === 'undefined' ? true : navigator.onLine;
  const help = runErrorHelp(error, online);
  if (!help.hint) return null;
  return (
    <div className="run-error-hint" data-testid="run-error-hint">
      {help.hint}
      {help.linkDatasets && (
        <>
          {' '}
          <a href={routeHref.datasets} data-testid="run-error-datasets">
            Open the Datasets page
          </a>
        </>
      )}
    </div>
  );
}
