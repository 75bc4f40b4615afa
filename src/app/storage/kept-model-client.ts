/**
 * The page's way to a model kept in this browser (`keptModelUrl`): a lab worker of its own, started
 * for the one request and ended after it, so it never waits on (or delays) a training run. The page
 * holds no tfjs: the worker reads the model with tfjs's IndexedDB handler.
 */
import * as Comlink from 'comlink';
import type { ModelArtifactsJson } from '../../core/models/artifacts';
import type { LabWorkerApi } from '../../worker/contract';

/** The exercise's kept model, or null when none is kept; rejects when it cannot be read. */
export async function loadKeptModel(exerciseId: string): Promise<ModelArtifactsJson | null> {
  const worker = new Worker(new URL('../../worker/lab-worker.ts', import.meta.url), {
    type: 'module',
    name: 'cv-lab-models',
  });
  try {
    const failed = new Promise<never>((_, reject) =>
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        reject(new Error(event.message || 'the lab worker failed to start'));
      }),
    );
    return await Promise.race([Comlink.wrap<LabWorkerApi>(worker).keptModel(exerciseId), failed]);
  } finally {
    // No `releaseProxy`: it waits for an answer a terminated worker never sends.
    worker.terminate();
  }
}
