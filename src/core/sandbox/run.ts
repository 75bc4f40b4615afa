/**
 * `runExercise`: one supervised run in this thread, sandbox and host together (in-thread-sandbox.ts).
 * For tests and trusted code only: the page and the CLI open a real sandbox for learner code and
 * call `superviseRun` themselves (docs/architecture.md, "The run protocol").
 */
import type * as tfType from '@tensorflow/tfjs';
import type { DatasetFileReader, LoadedDataset } from '../datasets/types';
import type { ModelFileReader } from '../models/registry';
import type { RunEventSink } from './events';
import { inThreadSandbox } from './in-thread-sandbox';
import type { TF } from '../shared/tf';
import type { BackendName, RunRequest } from './run-types';
import { superviseRun, type SupervisedOutcome } from './supervise';

export interface InThreadEnvironment {
  tf: TF;
  datasetReader(datasetId: string): DatasetFileReader;
  modelReader?(modelId: string): ModelFileReader;
  onEvent: RunEventSink;
  candidateBackends: BackendName[];
  testData?(): Promise<LoadedDataset>;
  onTrainedModel?(model: tfType.LayersModel): Promise<void>;
}

export function runExercise(request: RunRequest, env: InThreadEnvironment): Promise<SupervisedOutcome> {
  return superviseRun(request, () => inThreadSandbox(env.tf), {
    ...env,
    onTrainedModel: env.onTrainedModel ? (model) => env.onTrainedModel!(model) : undefined,
  }).outcome;
}
