/**
 * Submissions (`*.cvsub.json`, format `cv-lab-submission`, version 1): one graded run, as a learner
 * hands it to a lead: who, which set and exercise, the code, the report the learner's run wrote,
 * the training history, the environment, and the trained model with its weights hash. Function
 * exercises and quizzes are graded by running the code on hidden cases: their submissions carry the
 * code and no model.
 *
 * Nothing in a submission is trusted by the lead's side: `parseSubmission` checks its shape and
 * bounds; `regradeSubmission` (grading/regrade.ts) checks its hashes and grades the model again.
 */
import { z } from 'zod';
import { sha256Hex } from '../shared/bytes';
import {
  MAX_WEIGHT_BASE64_CHARS,
  ModelArtifactsJsonSchema,
  type ModelArtifactsJson,
} from '../models/artifacts';
import { ReportSchema, type Report } from './schema';
import {
  checkHeader,
  DEFAULT_BOUNDS,
  isIsoDate,
  parseBoundedJson,
  parseWithSchema,
  type JsonBounds,
} from './format-io';

export { FormatError } from '../shared/format-error';

export const SUBMISSION_FORMAT = 'cv-lab-submission';
export const SUBMISSION_VERSION = 1;
export const MAX_CODE_CHARS = 256 * 1024;
/** The whole `.cvsub.json` text: the model's weights and a margin for everything else. */
export const MAX_SUBMISSION_CHARS = MAX_WEIGHT_BASE64_CHARS + 8 * 1024 * 1024;
export const MAX_LEARNER_NAME_CHARS = 100;

const SHA256 = z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits');
const isoDate = z.string().max(40).refine(isIsoDate, 'an ISO 8601 date');
const seconds = z.number().nonnegative().max(1e7);

/** One epoch of `model.fit`'s history, as the page plots it and a submission stores it. */
export interface HistoryEntry {
  epoch: number;
  logs: Record<string, number>;
}

export const HistoryEntrySchema = z.strictObject({
  epoch: z.number().int().nonnegative().max(1_000_000),
  logs: z.record(z.string().max(100), z.number()),
});

export const EnvironmentSchema = z.strictObject({
  /** The tfjs backend the learner trained on. */
  backend: z.string().min(1).max(40),
  /** Browser user agent, or `node vX` for the CLI. */
  userAgent: z.string().max(500),
  cvLabVersion: z.string().max(40),
  timings: z.strictObject({ trainSeconds: seconds, gradeSeconds: seconds }),
  /**
   * The seed the run drew initial weights, dropout and shuffling from (`--seed`, Settings); absent
   * when it drew afresh. With it `cv-lab grade --reproduce` can train the same model again.
   */
  seed: z.number().int().min(0).max(0xffffffff).optional(),
});
export type SubmissionEnvironment = z.infer<typeof EnvironmentSchema>;

/** When the learner's exam ran: its start, and its end once it was over (early or on time). */
export const ExamWindowSchema = z.strictObject({
  startedAt: isoDate,
  endedAt: isoDate.optional(),
  /** The exam's length as the learner's copy of the set gave it when the exam started. */
  minutes: z.number().int().min(1).max(1440).optional(),
});
export type ExamWindow = z.infer<typeof ExamWindowSchema>;

export const SubmissionSchema = z.strictObject({
  format: z.literal(SUBMISSION_FORMAT),
  version: z.literal(SUBMISSION_VERSION),
  learner: z.strictObject({
    name: z.string().trim().min(1, 'a name is needed').max(MAX_LEARNER_NAME_CHARS),
  }),
  setId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, '1 to 64 letters, digits, dashes or underscores')
    .optional(),
  setTitle: z.string().max(200).optional(),
  /**
   * SHA-256 of the learner's copy of the set (`setHash` in set.ts), so the lead can tell an edited
   * copy under the same id. Optional: older submissions and those made outside a set have none.
   */
  setHash: SHA256.optional(),
  /**
   * The exam this run was made in, from the learner's exam clock (an exam-mode set only). Written by
   * the learner's side, like `createdAt`: the lead's re-grade checks it against the set (`out-of-exam`).
   */
  exam: ExamWindowSchema.optional(),
  exerciseId: z
    .string()
    .max(100)
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'ids are lower-case letters, digits and dashes'),
  /** The learner's TypeScript module, as trained. */
  code: z.string().max(MAX_CODE_CHARS),
  /** SHA-256 of `code` as UTF-8. */
  codeSha256: SHA256,
  /** The report of the learner's own run (not trusted: the lead re-grades). */
  report: ReportSchema.strict(),
  history: z.array(HistoryEntrySchema).max(10_000),
  environment: EnvironmentSchema,
  /** The trained model; absent for function exercises and quizzes (their code is what is graded). */
  model: ModelArtifactsJsonSchema.optional(),
  createdAt: isoDate,
});
export type Submission = z.infer<typeof SubmissionSchema>;

const SUBMISSION_BOUNDS: JsonBounds = {
  ...DEFAULT_BOUNDS,
  longStrings: { code: MAX_CODE_CHARS, 'model.weightDataBase64': MAX_WEIGHT_BASE64_CHARS },
};

export interface SubmissionInput {
  learnerName: string;
  /** The set the run answered: its id and title, its content hash and the learner's exam window. */
  set?: { id: string; title: string; hash?: string; exam?: ExamWindow };
  code: string;
  report: Report;
  history: readonly HistoryEntry[];
  environment: SubmissionEnvironment;
  /** `serializeModel(tf, model)` of the model the report graded; none for a case-graded exercise. */
  model?: ModelArtifactsJson;
  createdAt?: string;
}

export async function codeHash(code: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(code));
}

/**
 * A submission from a graded run, validated like a file read back (so a name that is too long
 * fails here, with a `FormatError`, not on the lead's side).
 */
export async function buildSubmission(input: SubmissionInput): Promise<Submission> {
  const json = {
    format: SUBMISSION_FORMAT,
    version: SUBMISSION_VERSION,
    learner: { name: input.learnerName },
    ...(input.set ? { setId: input.set.id, setTitle: input.set.title } : {}),
    ...(input.set?.hash ? { setHash: input.set.hash } : {}),
    ...(input.set?.exam ? { exam: input.set.exam } : {}),
    exerciseId: input.report.exerciseId,
    code: input.code,
    codeSha256: await codeHash(input.code),
    report: input.report,
    // JSON has no NaN or Infinity: a diverged epoch keeps its finite figures only.
    history: input.history.map((entry) => ({
      epoch: entry.epoch,
      logs: Object.fromEntries(Object.entries(entry.logs).filter(([, v]) => Number.isFinite(v))),
    })),
    environment: input.environment,
    ...(input.model ? { model: input.model } : {}),
    createdAt: input.createdAt ?? new Date().toISOString(),
  };
  return parseWithSchema(SubmissionSchema, json, 'submission');
}

/** Reads a `.cvsub.json` text; throws a `FormatError` naming the field or the problem. */
export function parseSubmission(text: string): Submission {
  const json = parseBoundedJson(text, 'submission', MAX_SUBMISSION_CHARS, SUBMISSION_BOUNDS);
  checkHeader(json, SUBMISSION_FORMAT, SUBMISSION_VERSION, 'submission');
  return parseWithSchema(SubmissionSchema, json, 'submission');
}

export function serializeSubmission(submission: Submission): string {
  return `${JSON.stringify(submission)}\n`;
}

/** `ada-lovelace.fashion-mnist-cnn.cvsub.json`: a file name safe on every system. */
export function submissionFileName(submission: Pick<Submission, 'learner' | 'exerciseId'>): string {
  const name =
    submission.learner.name
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase()
      .slice(0, 40) || 'learner';
  return `${name}.${submission.exerciseId}.cvsub.json`;
}
