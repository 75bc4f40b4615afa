/**
 * The typed contract between the page and the lab worker (the JupyterLite kernel pattern: a typed
 * API, a tiny worker entry, the logic in a class that tests can drive without a worker).
 *
 * The page calls these methods through comlink. Events stream back through `onEvent` (a comlink
 * proxy). Stopping a run is not a method: the page terminates the worker, which always works,
 * even when learner code is stuck in a loop.
 */
import type { RunEvent } from '../core/sandbox/events';
import type { RunOutcome, RunRequest } from '../core/sandbox/run-types';

export interface LabWorkerApi {
  run(request: RunRequest, onEvent: (event: RunEvent) => void): Promise<RunOutcome>;
}
