/**
 * One supervised run from the CLI: the learner's code in a sandbox child (node-sandbox.ts), the
 * data, the watchdog and the grading here, in the CLI's own process (core/sandbox/supervise.ts).
 * Used by `grade --code`, `submission create`, `verify` and every re-grade of a function exercise
 * or quiz.
 */
import * as tf from '@tensorflow/tfjs';
import type { LoadedDataset } from '../../core/datasets/types';
import type { RunEvent } from '../../core/sandbox/events';
import type { RunRequest } from '../../core/sandbox/run-types';
import { superviseRun, type SupervisedOutcome } from '../../core/sandbox/supervise';
import type { LimitSource } from '../../core/sandbox/watchdog';
import { datasetFolder, fsDatasetReader } from '../datasets/fs-reader';
import { nodeModelReader } from '../models/model-files';
import { initNodeBackend, type NodeBackendName } from '@cv-lab/runtime/node';
import { openNodeSandbox, sandboxBundle } from './node-sandbox';

export interface CliRunOptions {
  onEvent?: (event: RunEvent) => void;
  /** Output of the child that bypasses `console` (a native crash); stderr by default. */
  onOutput?: (chunk: string) => void;
  /** Grade on this instead of the exercise's test split (a set's private test). */
  testData?: () => Promise<LoadedDataset>;
  limitSource?: LimitSource;
  memoryCapBytes?: number;
  /** Each gradient helper's share of memory (node-sandbox.ts); tests lower it. */
  helperMemoryBytes?: number;
}

export async function runInSandbox(
  request: RunRequest & { backend: NodeBackendName },
  options: CliRunOptions = {},
): Promise<SupervisedOutcome> {
  await initNodeBackend(request.backend);
  await sandboxBundle();
  const run = superviseRun(
    request,
    () =>
      openNodeSandbox({
        onOutput: options.onOutput,
        memoryCapBytes: options.memoryCapBytes,
        helperMemoryBytes: options.helperMemoryBytes,
      }),
    {
      tf,
      datasetReader: (id) => fsDatasetReader(datasetFolder(id)),
      modelReader: (id) => nodeModelReader(id),
      onEvent: options.onEvent ?? (() => {}),
      candidateBackends: [request.backend],
      ...(options.testData ? { testData: options.testData } : {}),
      ...(options.limitSource ? { limitSource: options.limitSource } : {}),
    },
  );
  return run.outcome;
}
