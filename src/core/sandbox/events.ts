/**
 * The stream of events a run sends to whoever watches it: the page (through the worker) or the
 * CLI (printed to the terminal). Plain data only, so it crosses `postMessage` unchanged.
 */
import type { Report } from '../exercises/schema';

export type RunPhase = 'backend' | 'compile' | 'data' | 'train' | 'grade' | 'done';

export type RunEvent =
  | { type: 'phase'; phase: RunPhase; message: string }
  | { type: 'backend'; backend: string; tried: { backend: string; ok: boolean; reason?: string }[] }
  | { type: 'progress'; label: string; loaded: number; total: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | {
      type: 'batch';
      epoch: number;
      batch: number;
      batches: number;
      /** Epochs the run will have trained when this `fit` ends (earlier fits included), if it said. */
      epochs?: number;
      logs: Record<string, number>;
    }
  | { type: 'epoch'; epoch: number; logs: Record<string, number>; numTensors: number; seconds: number }
  | { type: 'warning'; code: 'leak' | 'nan' | 'time' | 'slow' | 'batch-norm' | 'rule'; message: string }
  | { type: 'error'; error: LearnerErrorInfo }
  | { type: 'report'; report: Report };

/** What went wrong in a run, with the place in the learner's code when we know it. */
export interface LearnerErrorInfo {
  kind: 'compile' | 'runtime' | 'contract' | 'time' | 'nan' | 'data' | 'stopped' | 'internal';
  message: string;
  /** 1-based line in the learner's file. */
  line?: number;
  column?: number;
  hint?: string;
}

export type RunEventSink = (event: RunEvent) => void;
