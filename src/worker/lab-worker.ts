/** The lab worker's entry: exposes a `LabWorkerHost` to the page over comlink. */
import * as Comlink from 'comlink';
import { LabWorkerHost } from './lab-worker-host';

Comlink.expose(new LabWorkerHost());
