/**
 * A learner's submissions for a set in one file (`*.cvsubs.json`, format `cv-lab-submissions`,
 * version 1): the set page's "Export all submissions". The roster and `cv-lab grade` accept it
 * wherever they accept a single `*.cvsub.json` (`parseSubmissionsFile`).
 *
 * A bundle is untrusted like any file from another person: its size is bounded before parsing, the
 * whole document is bounded (`checkJsonBounds`), then its header, then every submission in it with
 * the submission's own header check and schema (`SubmissionSchema`), so a bundle can hold nothing a
 * single file could not. Every submission in it names the bundle's learner.
 */
import { z } from 'zod';
import { MAX_WEIGHT_BASE64_CHARS } from '../models/artifacts';
import { FormatError, formatSize } from '../shared/format-error';
import { checkHeader, DEFAULT_BOUNDS, parseBoundedJson, parseWithSchema, type JsonBounds } from './format-io';
import {
  MAX_CODE_CHARS,
  parseSubmission,
  SUBMISSION_FORMAT,
  SUBMISSION_VERSION,
  SubmissionSchema,
  type Submission,
} from './submission';

export const SUBMISSION_BUNDLE_FORMAT = 'cv-lab-submissions';
export const SUBMISSION_BUNDLE_VERSION = 1;
/** At most this many submissions in one bundle (a set has at most 100 exercises). */
export const MAX_BUNDLE_SUBMISSIONS = 100;
/** The whole bundle's text: a few models' weights and their margins, well inside a tab's memory. */
export const MAX_BUNDLE_CHARS = 4 * MAX_WEIGHT_BASE64_CHARS + 32 * 1024 * 1024;

const BUNDLE_BOUNDS: JsonBounds = {
  ...DEFAULT_BOUNDS,
  longStrings: {
    'submissions.*.code': MAX_CODE_CHARS,
    'submissions.*.model.weightDataBase64': MAX_WEIGHT_BASE64_CHARS,
  },
};

const BundleSchema = z.strictObject({
  format: z.literal(SUBMISSION_BUNDLE_FORMAT),
  version: z.literal(SUBMISSION_BUNDLE_VERSION),
  // The learner, set and date fields read exactly as a submission's.
  learner: SubmissionSchema.shape.learner,
  setId: SubmissionSchema.shape.setId,
  setTitle: SubmissionSchema.shape.setTitle,
  createdAt: SubmissionSchema.shape.createdAt,
  /** Checked one by one below, with the submission's own header and schema. */
  submissions: z
    .array(z.unknown())
    .min(1, 'a bundle holds at least one submission')
    .max(MAX_BUNDLE_SUBMISSIONS),
});

export interface SubmissionBundle {
  format: typeof SUBMISSION_BUNDLE_FORMAT;
  version: typeof SUBMISSION_BUNDLE_VERSION;
  learner: { name: string };
  setId?: string;
  setTitle?: string;
  createdAt: string;
  submissions: Submission[];
}

const WHAT = 'submissions bundle';

/** A bundle of `submissions` (one learner's), validated as it will be read back. */
export function buildSubmissionBundle(
  submissions: readonly Submission[],
  options: { set?: { id: string; title: string }; createdAt?: string } = {},
): SubmissionBundle {
  const first = submissions[0];
  if (!first) throw new FormatError(`${WHAT}: there are no submissions to put in it`);
  const json = {
    format: SUBMISSION_BUNDLE_FORMAT,
    version: SUBMISSION_BUNDLE_VERSION,
    learner: { name: first.learner.name },
    ...(options.set ? { setId: options.set.id, setTitle: options.set.title } : {}),
    createdAt: options.createdAt ?? new Date().toISOString(),
    submissions,
  };
  return checkBundle(json);
}

export function serializeSubmissionBundle(bundle: SubmissionBundle): string {
  return `${JSON.stringify(bundle)}\n`;
}

/** `ada-lovelace.week-3.cvsubs.json`. */
export function submissionBundleFileName(bundle: Pick<SubmissionBundle, 'learner' | 'setId'>): string {
  const slug = (text: string, fallback: string) =>
    text
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase()
      .slice(0, 40) || fallback;
  return `${slug(bundle.learner.name, 'learner')}.${slug(bundle.setId ?? '', 'set')}.cvsubs.json`;
}

/** Reads a `*.cvsubs.json` text; throws a `FormatError` naming the submission and field at fault. */
export function parseSubmissionBundle(text: string): SubmissionBundle {
  const json = parseBoundedJson(text, WHAT, MAX_BUNDLE_CHARS, BUNDLE_BOUNDS);
  checkHeader(json, SUBMISSION_BUNDLE_FORMAT, SUBMISSION_BUNDLE_VERSION, WHAT);
  return checkBundle(json);
}

function checkBundle(json: unknown): SubmissionBundle {
  const bundle = parseWithSchema(BundleSchema, json, WHAT);
  const submissions = bundle.submissions.map((item, i) => {
    const where = `${WHAT}: submissions.${i}`;
    checkHeader(item, SUBMISSION_FORMAT, SUBMISSION_VERSION, where);
    const submission = parseWithSchema(SubmissionSchema, item, where);
    if (submission.learner.name !== bundle.learner.name) {
      throw new FormatError(`${where}: made by another learner than the bundle's`);
    }
    if (bundle.setId && submission.setId && submission.setId !== bundle.setId) {
      throw new FormatError(`${where}: made for another set than the bundle's`);
    }
    return submission;
  });
  return { ...bundle, submissions } as SubmissionBundle;
}

/**
 * Whether a text is a bundle rather than a single submission: its top-level `format`. The pattern
 * cannot match inside a JSON string (a quote there is always escaped), and a wrong guess only picks
 * the parser whose message the lead then reads.
 */
export function isSubmissionBundleText(text: string): boolean {
  return /"format"\s*:\s*"cv-lab-submissions"/.test(text);
}

/** A file the roster or `cv-lab grade` was given: a bundle's submissions, or the one submission. */
export function parseSubmissionsFile(text: string): Submission[] {
  if (typeof text === 'string' && text.length > MAX_BUNDLE_CHARS) {
    throw new FormatError(
      `submission: the file is ${formatSize(text.length)}, larger than the ${formatSize(MAX_BUNDLE_CHARS)} a bundle of submissions may be`,
    );
  }
  if (isSubmissionBundleText(text)) return parseSubmissionBundle(text).submissions;
  return [parseSubmission(text)];
}
