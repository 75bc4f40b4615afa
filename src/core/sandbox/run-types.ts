/**
 * The contract of one run: what goes in (an exercise, the learner's code, a backend preference)
 * and what comes out (a report, or an error pointing into the learner's code).
 * Implemented by `run.ts`; used by the worker (browser) and the CLI (Node) alike.
 */
import type { ExerciseCard, Report } from '../exercises/schema';
import type { GradingKey } from './run-cases';
import type { DatasetFileReader } from '../datasets/types';
import type { HistoryEntry } from '../exercises/submission';
import type { BackendName, BackendPreference } from '@cv-lab/runtime';
import type { LearnerErrorInfo, RunEventSink } from './events';
import type { TF } from '../shared/tf';

// Defined with the backend choice (packages/runtime/src/backend.ts), below the sandbox.
export type { BackendName, BackendPreference };

export interface RunRequest {
  /** The exercise (a whole folder in the CLI; a card, with set overrides, in the page). */
  bundle: ExerciseCard;
  /**
   * What to grade with: the hidden cases and their answers, or the quiz's answers. Without it the
   * host builds it from `bundle`, which must then be a whole exercise folder.
   */
  gradingKey?: GradingKey;
  /** The learner's TypeScript module. */
  code: string;
  backend: BackendPreference;
  /**
   * Overrides the exercise's time limit (seconds). The page uses the exercise's own; tests and the
   * CLI's `--time-limit` may shorten it.
   */
  timeLimitSeconds?: number;
  /**
   * Draws what tfjs draws at random without a seed (initial weights, dropout, `fit`'s shuffling)
   * from this seed (shared/seed.ts), so the same code on the same backend trains the same model.
   * Without it every run draws afresh.
   */
  seed?: number;
  /**
   * The backends to try, in order (the page's measured ranking, packages/runtime/src/backend-speed.ts);
   * those the environment cannot offer are left out. Without it, the environment's own order.
   */
  backendOrder?: BackendName[];
  /** Test hook: break this backend once learner code starts (sandbox/backend-health.ts). */
  backendFault?: import('./backend-health').BackendFault;
}

export interface RunEnvironment {
  /** The tfjs the environment loaded, with its backends registered. */
  tf: TF;
  /** Returns the file reader for a prepared dataset id (browser: fetch, Node: fs). */
  datasetReader(datasetId: string): DatasetFileReader;
  /**
   * Returns the file reader for a pretrained model id (`lab.models.load`): browser fetch, Node fs and
   * the download cache. Optional: without it `lab.models.load` says no models are available.
   */
  modelReader?(modelId: string): import('../models/registry').ModelFileReader;
  /** Where trust-on-first-use hashes of downloaded models are kept; optional. */
  modelTrust?: import('../models/registry').HashTrustStore;
  onEvent: RunEventSink;
  /** Backends this environment can offer, in order of preference. */
  candidateBackends: BackendName[];
  /**
   * Called with the trained model after grading, before the run disposes it: the place to save
   * it (IndexedDB, a submission file). Optional.
   */
  onTrainedModel?(model: import('@tensorflow/tfjs').LayersModel): Promise<void>;
}

export interface RunOutcome {
  ok: boolean;
  report?: Report;
  error?: LearnerErrorInfo;
  history: HistoryEntry[];
  backend: string;
  /** The model summary as text, for the log. */
  modelSummary?: string;
  /** The seed the run drew its random numbers from (`RunRequest.seed`): with it a re-grade can train the same model. */
  seed?: number;
}

export type { Report };
