/**
 * The supervised run protocol: the one way learner code is run, in the page and in the CLI alike
 * (docs/architecture.md, "The run protocol").
 *
 *   host                                   sandbox (learner code, untrusted)
 *   ────                                   ─────────────────────────────────
 *   start { job }                     ──►
 *                                     ◄──  event { run event }            (any number, any time)
 *                                     ◄──  request { id, data | model-file }
 *   reply { id, value | error }       ──►
 *                                     ◄──  end { result }                 (once)
 *   close (terminate / kill)
 *
 * The host owns everything a grade depends on: the test split, private tests, hidden cases'
 * expected values, reference solutions and every comparison. The sandbox receives only what the
 * learner may have (the training and validation data the host hands out, `tf`, the Lab) and sends
 * back plain data: run events, model artifacts, function outputs, quiz answers. Every message from
 * the sandbox is parsed with the schemas below before the host looks at it; a message that does
 * not parse ends the run.
 */
import { z } from 'zod';
import type { Rule } from '../exercises/schema';
import { ModelArtifactsJsonSchema, type ModelArtifactsJson } from '../models/artifacts';
import type { LearnerErrorInfo, RunEvent } from './events';
import type { BackendFault } from './backend-health';
import type { BackendName } from './run-types';

/** A value crossing the boundary: JSON-like data, typed arrays, and tensors as `{ $tensor }`. */
export type WireValue =
  | number
  | string
  | boolean
  | null
  | undefined
  | WireValue[]
  | { $tensor: { shape: number[]; dtype: string; values: number[] } }
  | { [key: string]: WireValue };

/** Options of `lab.data.load`, as the host checks them (`resolveDataLoadOptions`). */
export interface DataRequest {
  kind: 'data';
  datasetId: string;
  options: { validationSplit?: number; limit?: number; seed?: number };
}

/** A file of a pretrained model (`lab.models.load`), read by the host for the sandbox. */
export interface ModelFileRequest {
  kind: 'model-file';
  modelId: string;
  path: string;
}

export type SandboxRequest = DataRequest | ModelFileRequest;

/** One split as the host hands it out: pixels in the order the Lab's tensors take them. */
export interface HandedOutSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** The answer to a `data` request: the training part and the held-out validation part. */
export interface HandedOutData {
  classNames: string[];
  imageShape: [number, number, number];
  train: HandedOutSplit;
  validation: HandedOutSplit | null;
}

/** What the sandbox is asked to do. */
export type SandboxJob =
  | {
      kind: 'train';
      code: string;
      exerciseId: string;
      timeLimitSeconds: number;
      /** The exercise's rules (not secret), checked against the model as `fit` starts. */
      rules?: Rule[];
      backend: BackendName | 'auto';
      candidateBackends: BackendName[];
      seed?: number;
      /** Test hook: break this backend once learner code starts (backend-health.ts). */
      backendFault?: BackendFault;
    }
  | {
      /** A function exercise: call the learner's exports on these inputs, in order. */
      kind: 'cases';
      code: string;
      functions: string[];
      calls: { call: string; args: WireValue[] }[];
      backend: BackendName | 'auto';
      candidateBackends: BackendName[];
      backendFault?: BackendFault;
    }
  | { kind: 'quiz'; code: string };

export type HostMessage =
  | { type: 'start'; job: SandboxJob }
  | { type: 'reply'; id: number; value?: HandedOutData | Uint8Array; error?: string };

/** What the sandbox counted of training, by hooks set before learner code ran. */
export interface TrainingCount {
  /** Epochs of `fit` (every `fit` call's epochs, added up). */
  fitEpochs: number;
  /** Images that went through a training step in `fit` or `trainOnBatch`. */
  imagesSeen: number;
  /** Optimizer updates, however made (`fit`, `trainOnBatch`, `optimizer.minimize`). */
  optimizerSteps: number;
  /** Updates made outside `fit` and `trainOnBatch` (a hand-written loop). */
  stepsOutsideFit: number;
  /** A callback other than the lab's set `model.stopTraining` and so ended `fit` early. */
  stoppedByCallback: boolean;
  /** Why the lab's own monitor stopped training, if it did. */
  monitorStop: 'nan' | 'time' | null;
}

export type SandboxResult =
  | {
      kind: 'train';
      ok: true;
      model: ModelArtifactsJson;
      history: { epoch: number; logs: Record<string, number> }[];
      count: TrainingCount;
      backend: string;
      modelSummary: string;
      /** `export const threshold` of a binary exercise. */
      threshold?: number;
      trainSeconds: number;
    }
  | {
      kind: 'cases';
      ok: true;
      /** One per call: the returned value, or why the call threw. */
      outputs: ({ value: WireValue } | { error: string; line?: number })[];
      backend: string;
    }
  | { kind: 'quiz'; ok: true; answers: WireValue }
  | {
      kind: 'train' | 'cases' | 'quiz';
      ok: false;
      error: LearnerErrorInfo;
      history: { epoch: number; logs: Record<string, number> }[];
      backend: string;
    };

export type SandboxMessage =
  | { type: 'event'; event: RunEvent }
  | { type: 'request'; id: number; request: SandboxRequest }
  | { type: 'end'; result: SandboxResult };

// ── Schemas: everything the sandbox sends is parsed before use ─────────────────────────────────

const MAX_TEXT = 200_000;
const text = z.string().max(MAX_TEXT);
/** Any number, NaN and infinities included: a diverging run's figures must reach the host. */
const finite = z.custom<number>((v) => typeof v === 'number', { message: 'not a number' });
const logs = z.record(z.string().max(100), finite).refine((r) => Object.keys(r).length <= 64);
const history = z.array(z.strictObject({ epoch: z.number().int().nonnegative(), logs })).max(100_000);

const LearnerErrorSchema = z.strictObject({
  kind: z.enum(['compile', 'runtime', 'contract', 'time', 'nan', 'data', 'stopped', 'internal']),
  message: text,
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  hint: text.optional(),
});

/** Depth- and size-bounded plain values (function outputs, quiz answers). */
const MAX_WIRE_ITEMS = 2_000_000;
function wireValueIsBounded(value: unknown): boolean {
  let items = 0;
  const visit = (v: unknown, depth: number): boolean => {
    if (++items > MAX_WIRE_ITEMS || depth > 32) return false;
    if (v === null || v === undefined) return true;
    switch (typeof v) {
      case 'number':
      case 'boolean':
        return true;
      case 'string':
        return v.length <= MAX_TEXT;
      case 'object':
        if (Array.isArray(v)) return v.every((x) => visit(x, depth + 1));
        if (Object.getPrototypeOf(v) !== Object.prototype) return false;
        return Object.entries(v as object).every(([k, x]) => k.length <= 200 && visit(x, depth + 1));
      default:
        return false;
    }
  };
  return visit(value, 0);
}
const WireValueSchema = z.custom<WireValue>(wireValueIsBounded, {
  message: 'not plain data (numbers, strings, arrays, objects), or too large or too deep',
});

const RunEventSchema: z.ZodType<RunEvent> = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('phase'),
    phase: z.enum(['backend', 'compile', 'data', 'train', 'grade', 'done']),
    message: text,
  }),
  z.strictObject({
    type: z.literal('backend'),
    backend: z.string().max(40),
    tried: z
      .array(z.strictObject({ backend: z.string().max(40), ok: z.boolean(), reason: text.optional() }))
      .max(8),
  }),
  z.strictObject({
    type: z.literal('progress'),
    label: z.string().max(500),
    loaded: finite,
    total: finite,
  }),
  z.strictObject({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: text }),
  z.strictObject({
    type: z.literal('batch'),
    epoch: z.number().int().nonnegative(),
    batch: z.number().int().nonnegative(),
    batches: z.number().int().nonnegative(),
    epochs: z.number().int().nonnegative().optional(),
    logs,
  }),
  z.strictObject({
    type: z.literal('epoch'),
    epoch: z.number().int().nonnegative(),
    logs,
    numTensors: z.number().int().nonnegative(),
    seconds: finite,
  }),
  z.strictObject({
    type: z.literal('warning'),
    code: z.enum(['leak', 'nan', 'time', 'slow', 'batch-norm', 'rule']),
    message: text,
  }),
  z.strictObject({ type: z.literal('error'), error: LearnerErrorSchema }),
]) as z.ZodType<RunEvent>;

const TrainingCountSchema = z.strictObject({
  fitEpochs: z.number().int().nonnegative(),
  imagesSeen: z.number().nonnegative(),
  optimizerSteps: z.number().int().nonnegative(),
  stepsOutsideFit: z.number().int().nonnegative(),
  stoppedByCallback: z.boolean(),
  monitorStop: z.enum(['nan', 'time']).nullable(),
});

const SandboxResultSchema = z.union([
  z.strictObject({
    kind: z.literal('train'),
    ok: z.literal(true),
    model: ModelArtifactsJsonSchema,
    history,
    count: TrainingCountSchema,
    backend: z.string().max(40),
    modelSummary: text,
    threshold: z.number().gt(0).lt(1).optional(),
    trainSeconds: z.number().nonnegative(),
  }),
  z.strictObject({
    kind: z.literal('cases'),
    ok: z.literal(true),
    outputs: z
      .array(
        z.union([
          z.strictObject({ value: WireValueSchema }),
          z.strictObject({ error: text, line: z.number().int().optional() }),
        ]),
      )
      .max(10_000),
    backend: z.string().max(40),
  }),
  z.strictObject({ kind: z.literal('quiz'), ok: z.literal(true), answers: WireValueSchema }),
  z.strictObject({
    kind: z.enum(['train', 'cases', 'quiz']),
    ok: z.literal(false),
    error: LearnerErrorSchema,
    history,
    backend: z.string().max(40),
  }),
]);

const SandboxRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('data'),
    datasetId: z.string().min(1).max(100),
    options: z.strictObject({
      validationSplit: z.number().optional(),
      limit: z.number().optional(),
      seed: z.number().optional(),
    }),
  }),
  z.strictObject({
    kind: z.literal('model-file'),
    modelId: z.string().min(1).max(200),
    path: z.string().min(1).max(500),
  }),
]);

export const SandboxMessageSchema: z.ZodType<SandboxMessage> = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('event'), event: RunEventSchema }),
  z.strictObject({
    type: z.literal('request'),
    id: z.number().int().nonnegative(),
    request: SandboxRequestSchema,
  }),
  z.strictObject({ type: z.literal('end'), result: SandboxResultSchema }),
]) as z.ZodType<SandboxMessage>;

/**
 * Parses one message from the sandbox. Returns the message, or a sentence saying what was wrong
 * with it (the host then ends the run with that sentence).
 */
export function parseSandboxMessage(raw: unknown): { message: SandboxMessage } | { problem: string } {
  const parsed = SandboxMessageSchema.safeParse(raw);
  if (parsed.success) return { message: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  return { problem: `the sandbox sent a malformed message${where}: ${issue?.message ?? 'unreadable'}` };
}

// ── The two ends of a channel ─────────────────────────────────────────────────────────────────

/**
 * The host's handle on one sandbox: a Web Worker in an opaque-origin frame (the page), a child
 * process (the CLI), or the same thread (unit tests).
 */
export interface SandboxChannel {
  send(message: HostMessage, transfer?: ArrayBuffer[]): void;
  /** Every message the sandbox posts, unparsed (the host parses it). */
  onMessage(listener: (raw: unknown) => void): void;
  /** The sandbox died (a crash, out of memory, killed): `reason` says how, in words. */
  onExit(listener: (reason: string, outOfMemory: boolean) => void): void;
  /** Ends the sandbox for good: terminate the worker, kill the process. Safe to call twice. */
  close(): void;
}

/** The sandbox's side of the channel. */
export interface HostLink {
  send(message: SandboxMessage, transfer?: ArrayBuffer[]): void;
  onMessage(listener: (message: HostMessage) => void): void;
}

/**
 * The CLI's sandbox child and its gradient helpers (packages/runtime/src/data-parallel): the host
 * passes `--training-helpers=N`, and helper k's pipe is the child's file descriptor
 * `HELPER_FD + k` (0-2 are stdio, 3 the IPC channel of this protocol).
 */
export const TRAINING_HELPERS_FLAG = '--training-helpers=';
export const HELPER_FD = 4;
