/**
 * The learner thread's entry (see learner-thread.ts): starts the tfjs backend in this thread (a
 * thread has its own tfjs and its own WASM instance), runs the exercise with the same core and the
 * same file readers as the CLI did in-process, and posts every run event and then the outcome.
 * Anything that escapes `runExercise` (an error thrown from a learner's timer, running out of
 * memory) ends the thread; the main thread reports it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { runExercise } from '../core/sandbox/run';
import { serializeModel, type ModelArtifactsJson } from '../core/models/artifacts';
import { initNodeBackend } from './node-backend';
import { datasetFolder, fsDatasetReader } from './datasets/fs-reader';
import { fileTrustStore, nodeModelReader } from './models/model-files';
import type { LearnerThreadMessage, LearnerThreadRequest } from './learner-thread';

const port = parentPort;
if (!port) throw new Error('learner-thread-entry.ts runs as a worker thread (see learner-thread.ts)');
const post = (message: LearnerThreadMessage) => port.postMessage(message);

const request = workerData as LearnerThreadRequest;
await initNodeBackend(request.backend);

let model: ModelArtifactsJson | undefined;
let modelError: string | undefined;
const outcome = await runExercise(
  {
    bundle: request.bundle,
    code: request.code,
    backend: request.backend,
    timeLimitSeconds: request.timeLimitSeconds,
    seed: request.seed,
  },
  {
    tf,
    datasetReader: (id) => fsDatasetReader(datasetFolder(id)),
    modelReader: (id) => nodeModelReader(id),
    modelTrust: fileTrustStore(),
    onEvent: (event) => post({ type: 'event', event }),
    candidateBackends: [request.backend],
    onTrainedModel: request.keepModel
      ? async (trained) => {
          try {
            model = await serializeModel(tf, trained);
          } catch (error) {
            modelError = error instanceof Error ? error.message : String(error);
          }
        }
      : undefined,
  },
);
post({
  type: 'outcome',
  outcome,
  ...(model ? { model } : {}),
  ...(modelError ? { modelError } : {}),
});
