/**
 * Exercise sets (`*.cvset.json`, format `cv-lab-set`, version 1): what a team lead hands out.
 *
 * A set names catalog exercises in order, each with optional overrides of its targets and limits,
 * a title, notes (markdown, rendered sanitised by the page), an optional due date, an optional
 * exam mode (one timer for the whole set, a score per exercise weighted by difficulty) and an
 * optional private test set: a dataset in our format, embedded as base64 shards, which the lead
 * grades submissions on and learners never receive (`learnerCopy` drops it, links never carry it),
 * and, for function exercises, private cases the lead's re-grade adds to the hidden ones.
 *
 * Sets come from other people: `parseSet` bounds, checks and verifies everything (private test
 * shards against their SHA-256 included) and throws a `FormatError` naming the problem.
 */
import { z } from 'zod';
import { compress, inflateBounded, InflateLimitError, sha256Hex } from '../shared/bytes';
import { loadDataset } from '../datasets/load';
import { DatasetManifestSchema, imageBytes, MANIFEST_FILE, type DatasetManifest } from '../datasets/manifest';
import type { DatasetFileReader, LoadedDataset } from '../datasets/types';
import { metricNames, type Exercise, type ExerciseCard } from './schema';
import { countedScore } from './score';
import {
  checkHeader,
  DEFAULT_BOUNDS,
  isIsoDate,
  parseBoundedJson,
  parseWithSchema,
  type JsonBounds,
} from './format-io';
import { base64ToBytes, base64UrlToBytes, bytesToBase64, bytesToBase64Url } from '../shared/base64';
import { FormatError, formatSize } from '../shared/format-error';
import { fromCaseJson } from '../shared/case-json';

export { FormatError } from '../shared/format-error';

export const SET_FORMAT = 'cv-lab-set';
export const SET_VERSION = 1;

/** Decoded bytes of all private test shards together. */
export const MAX_PRIVATE_TEST_BYTES = 64 * 1024 * 1024;
/**
 * What the private test may inflate to (pixels and labels): Fashion-MNIST's whole test split is
 * 7.9 MB. A gigabyte of zeros gzips to a megabyte, so the stored bound alone is no bound at all.
 */
export const MAX_PRIVATE_TEST_PIXEL_BYTES = 256 * 1024 * 1024;
const MAX_PRIVATE_TEST_BASE64 = Math.ceil(MAX_PRIVATE_TEST_BYTES / 3) * 4;
/** The whole `.cvset.json` text. */
export const MAX_SET_CHARS = MAX_PRIVATE_TEST_BASE64 + 4 * 1024 * 1024;
/** A link's `#set=` fragment: links longer than this break in mail clients and chat tools. */
export const MAX_LINK_FRAGMENT_CHARS = 32 * 1024;
/** The JSON a link may expand to (a bound against decompression bombs). */
export const MAX_LINK_JSON_CHARS = 1024 * 1024;
export const MAX_NOTES_CHARS = 20_000;
export const MAX_SET_EXERCISES = 100;

const EXERCISE_ID = z
  .string()
  .max(100)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'ids are lower-case letters, digits and dashes');
const isoDate = z
  .string()
  .max(40)
  .refine(isIsoDate, 'an ISO 8601 date, e.g. 2025-06-30 or 2025-06-30T17:00:00Z');
const finite = z.number().refine(Number.isFinite, 'a finite number');

/** A target override: the exercise schema's target, strict. */
export const SetTargetSchema = z
  .strictObject({
    metric: z.enum(metricNames),
    split: z.enum(['test', 'validation', 'train']).default('test'),
    atLeast: finite.optional(),
    atMost: finite.optional(),
  })
  .refine((t) => (t.atLeast === undefined) !== (t.atMost === undefined), {
    message: 'a target needs exactly one of atLeast or atMost',
  })
  .refine((t) => targetInRange(t.metric, t.atLeast ?? t.atMost ?? 0), {
    message: 'out of range: a loss target is 0 or more; every other metric lies between 0 and 1',
  });

/** Whether a target's threshold is one its metric can reach at all (a target of -1 passes everyone). */
function targetInRange(metric: (typeof metricNames)[number], value: number): boolean {
  return metric === 'loss' ? value >= 0 : value >= 0 && value <= 1;
}

export const SetLimitsSchema = z.strictObject({
  /** Seconds for one run of this exercise (at most a day). */
  timeSeconds: z.number().positive().max(86_400),
});

export const MAX_PRIVATE_CASES = 200;

/**
 * A hidden case of a function exercise that only the lead's set holds (`learnerCopy` drops it):
 * `call` names one of the exercise's exported functions, `args` are its arguments as case JSON
 * (core/shared/case-json.ts: numbers, strings, arrays, objects, `$tensor`, `$typed`). The reference
 * solution answers it when the lead re-grades.
 */
export const PrivateCaseSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    call: z.string().regex(/^[A-Za-z_$][\w$]{0,99}$/, 'the name of an exported function'),
    args: z.array(z.unknown()).max(16),
  })
  .superRefine((testCase, ctx) => {
    try {
      testCase.args.forEach((arg, i) => fromCaseJson(arg, `argument ${i + 1}`));
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['args'], message: (error as Error).message });
    }
  });
export type PrivateCase = z.infer<typeof PrivateCaseSchema>;

export const SetExerciseSchema = z.strictObject({
  id: EXERCISE_ID,
  /** Replaces the exercise's targets when present. */
  targets: z.array(SetTargetSchema).min(1).max(10).optional(),
  /** Replaces the exercise's limits when present. */
  limits: SetLimitsSchema.optional(),
  /** Function exercises: cases the lead's re-grade adds to the catalog's hidden cases. */
  privateCases: z.array(PrivateCaseSchema).min(1).max(MAX_PRIVATE_CASES).optional(),
});
export type SetExercise = z.infer<typeof SetExerciseSchema>;

export const DEFAULT_EXAM_WEIGHTS = { beginner: 1, intermediate: 2, advanced: 3 } as const;

export const ExamSchema = z.strictObject({
  enabled: z.boolean(),
  /** One timer for the whole set. */
  minutes: z.number().int().min(1).max(1440),
  /** Weight of an exercise's score in the total, by its difficulty. */
  weights: z
    .strictObject({
      beginner: z.number().min(0).max(100),
      intermediate: z.number().min(0).max(100),
      advanced: z.number().min(0).max(100),
    })
    .default({ ...DEFAULT_EXAM_WEIGHTS }),
});
export type ExamSettings = z.infer<typeof ExamSchema>;

export const PrivateTestFileSchema = z.strictObject({
  /** A shard file name of the manifest's test split. */
  name: z.string().min(1).max(200),
  /** The stored (gzipped) shard, standard base64. */
  base64: z.string().max(MAX_PRIVATE_TEST_BASE64),
});

export const PrivateTestSchema = z.strictObject({
  manifest: DatasetManifestSchema,
  files: z.array(PrivateTestFileSchema).min(1).max(256),
});
export type PrivateTest = z.infer<typeof PrivateTestSchema>;

export const CvSetSchema = z
  .strictObject({
    format: z.literal(SET_FORMAT),
    version: z.literal(SET_VERSION),
    /** Names the set in submissions (`setId`). */
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, '1 to 64 letters, digits, dashes or underscores'),
    title: z.string().min(1).max(200),
    /** Markdown, shown sanitised. */
    notes: z.string().max(MAX_NOTES_CHARS).default(''),
    dueDate: isoDate.optional(),
    author: z.string().max(200).default(''),
    exercises: z.array(SetExerciseSchema).min(1).max(MAX_SET_EXERCISES),
    exam: ExamSchema.optional(),
    privateTest: PrivateTestSchema.optional(),
    createdAt: isoDate,
  })
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.exercises.forEach((entry, index) => {
      if (seen.has(entry.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['exercises', index, 'id'],
          message: `'${entry.id}' is listed twice`,
        });
      }
      seen.add(entry.id);
    });
  });
export type CvSet = z.infer<typeof CvSetSchema>;
/** What a lead fills in; `buildSet` adds the header, an id and the date. */
export type CvSetInput = Omit<z.input<typeof CvSetSchema>, 'format' | 'version' | 'id' | 'createdAt'> & {
  id?: string;
  createdAt?: string;
};

const SET_BOUNDS: JsonBounds = {
  ...DEFAULT_BOUNDS,
  longStrings: { 'privateTest.files.*.base64': MAX_PRIVATE_TEST_BASE64 },
};

/** A new set from the lead's choices, validated like a file read back. */
export function buildSet(input: CvSetInput): CvSet {
  const json = {
    format: SET_FORMAT,
    version: SET_VERSION,
    id: input.id ?? crypto.randomUUID(),
    createdAt: input.createdAt ?? new Date().toISOString(),
    ...input,
  };
  return parseWithSchema(CvSetSchema, json, 'set');
}

/**
 * Reads a `.cvset.json` text. Async because the private test's shards are checked against their
 * SHA-256 here, so a set that opens is a set whose private data can be graded on.
 */
export async function parseSet(text: string): Promise<CvSet> {
  const json = parseBoundedJson(text, 'set', MAX_SET_CHARS, SET_BOUNDS);
  checkHeader(json, SET_FORMAT, SET_VERSION, 'set');
  const set = parseWithSchema(CvSetSchema, json, 'set');
  if (set.privateTest) await verifyPrivateTest(set.privateTest);
  return set;
}

/** The test split's shard files, in manifest order. */
function testShards(manifest: DatasetManifest) {
  return [...manifest.splits.test.images, ...manifest.splits.test.labels];
}

/** Decodes every private test file and checks it against the manifest: names, sizes, hashes, total. */
async function verifyPrivateTest(privateTest: PrivateTest): Promise<Map<string, Uint8Array>> {
  const { test } = privateTest.manifest.splits;
  const declared = test.count * (imageBytes(privateTest.manifest) + 1);
  if (declared > MAX_PRIVATE_TEST_PIXEL_BYTES) {
    throw new FormatError(
      `set: privateTest declares ${formatSize(declared)} of test images, more than the ${formatSize(MAX_PRIVATE_TEST_PIXEL_BYTES)} a private test may hold`,
    );
  }
  const shards = new Map(testShards(privateTest.manifest).map((s) => [s.file, s]));
  const decoded = new Map<string, Uint8Array>();
  let total = 0;
  for (const file of privateTest.files) {
    const where = `set: privateTest file ${file.name}`;
    const shard = shards.get(file.name);
    if (!shard) throw new FormatError(`${where}: not a test shard of the private test's manifest`);
    if (decoded.has(file.name)) throw new FormatError(`${where}: listed twice`);
    const bytes = base64ToBytes(file.base64, where);
    total += bytes.byteLength;
    if (total > MAX_PRIVATE_TEST_BYTES) {
      throw new FormatError(
        `set: privateTest is larger than the ${formatSize(MAX_PRIVATE_TEST_BYTES)} allowed`,
      );
    }
    if (bytes.byteLength !== shard.bytes) {
      throw new FormatError(`${where}: ${bytes.byteLength} bytes, the manifest says ${shard.bytes}`);
    }
    if ((await sha256Hex(bytes)) !== shard.sha256) {
      throw new FormatError(`${where}: SHA-256 mismatch (the file was changed or damaged)`);
    }
    decoded.set(file.name, bytes);
  }
  const missing = [...shards.keys()].filter((name) => !decoded.has(name));
  if (missing.length) throw new FormatError(`set: privateTest is missing the file ${missing.join(', ')}`);
  return decoded;
}

/**
 * Embeds a prepared dataset's test split as a private test. `files` are the dataset's files by
 * name (as `buildDatasetFiles` or a folder gives them); only the test shards are kept, and the
 * manifest without its sample sheet.
 */
export function embedPrivateTest(
  manifest: DatasetManifest,
  files: ReadonlyMap<string, Uint8Array> | readonly { name: string; bytes: Uint8Array }[],
): PrivateTest {
  const byName =
    files instanceof Map
      ? files
      : new Map((files as { name: string; bytes: Uint8Array }[]).map((f) => [f.name, f.bytes]));
  // The sample sheet is a view of the train split, which a set never carries.
  const { samples: _trainSamples, ...testManifest } = manifest;
  return {
    manifest: testManifest,
    files: testShards(manifest).map((shard) => {
      const bytes = byName.get(shard.file);
      if (!bytes) throw new Error(`embedPrivateTest: no file ${shard.file}`);
      return { name: shard.file, base64: bytesToBase64(bytes) };
    }),
  };
}

/** The private test, decoded and verified by the same loader as every dataset (test split only). */
export async function privateTestDataset(privateTest: PrivateTest): Promise<LoadedDataset> {
  const files = await verifyPrivateTest(privateTest);
  const manifestBytes = new TextEncoder().encode(JSON.stringify(privateTest.manifest));
  const reader: DatasetFileReader = async (file) => {
    if (file === MANIFEST_FILE) return manifestBytes;
    const bytes = files.get(file);
    if (!bytes) throw new Error('missing from the set');
    return bytes;
  };
  return loadDataset(reader, { splits: ['test'] });
}

/** The exercise as this set asks for it: the set's targets and limits replace the exercise's own. */
export function applySetOverrides<T extends ExerciseCard>(bundle: T, entry: SetExercise): T {
  const exercise: Exercise = {
    ...bundle.exercise,
    targets: entry.targets ? entry.targets.map((t) => ({ ...t })) : bundle.exercise.targets,
    limits: entry.limits ? { ...bundle.exercise.limits, ...entry.limits } : bundle.exercise.limits,
  };
  return { ...bundle, exercise };
}

/** The set as learners receive it: everything but the private test data. */
export function learnerCopy(set: CvSet): CvSet {
  const { privateTest: _privateTest, ...rest } = set;
  return {
    ...rest,
    exercises: rest.exercises.map(({ privateCases: _privateCases, ...entry }) => entry),
  };
}

/** JSON with every object's keys sorted: the same set always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The set's content hash: SHA-256 (hex) of the canonical JSON of its learner copy, so the lead's
 * copy (with a private test and private cases) and every learner's copy of one set hash alike, and
 * any edit (targets, exam, due date, id) gives another hash. Exam clocks are keyed by it and
 * submissions record it (`setHash`), so the lead can tell which copy a submission answered.
 */
export async function setHash(set: CvSet): Promise<string> {
  return sha256Hex(new TextEncoder().encode(canonicalJson(learnerCopy(set))));
}

/** Whether the set holds what learners must not receive: a private test or private cases. */
export function hasPrivateParts(set: CvSet): boolean {
  return Boolean(set.privateTest) || set.exercises.some((entry) => entry.privateCases);
}

// ---- links -----------------------------------------------------------------------------------

/**
 * A link that carries the set in its fragment (`<base>#set=<deflate-raw, base64url>`), so opening
 * it needs no server. Always the learner copy: a private test never travels in a link. Throws a
 * `FormatError` when the compressed set is over 32 KB: hand out the `.cvset.json` file instead.
 */
export async function encodeSetLink(set: CvSet, base: string): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(learnerCopy(set)));
  const packed = await compress(json, 'deflate-raw');
  const fragment = bytesToBase64Url(packed);
  if (fragment.length > MAX_LINK_FRAGMENT_CHARS) {
    throw new FormatError(
      `set link: the set takes ${formatSize(fragment.length)} in a link, more than the ${formatSize(MAX_LINK_FRAGMENT_CHARS)} ` +
        'a link can carry and still work everywhere; hand out the .cvset.json file instead (or shorten the notes)',
    );
  }
  return `${base.split('#')[0]}#set=${fragment}`;
}

/** Reads the set out of a link made by `encodeSetLink` (the whole URL, or just its fragment). */
export async function decodeSetLink(url: string): Promise<CvSet> {
  const match = /(?:^|[#&])set=([^&]*)/.exec(url.slice(url.indexOf('#') + 1));
  if (!match) throw new FormatError('set link: no set in this link (expected #set=...)');
  const fragment = match[1];
  if (fragment.length > MAX_LINK_FRAGMENT_CHARS) {
    throw new FormatError(
      `set link: longer than the ${formatSize(MAX_LINK_FRAGMENT_CHARS)} a set link may be`,
    );
  }
  const packed = base64UrlToBytes(fragment, 'set link');
  let json: Uint8Array;
  try {
    json = await inflateBounded(packed, 'deflate-raw', MAX_LINK_JSON_CHARS);
  } catch (error) {
    if (error instanceof InflateLimitError) {
      throw new FormatError(`set link: expands to more than ${formatSize(MAX_LINK_JSON_CHARS)}`);
    }
    throw new FormatError('set link: damaged (it does not decompress); it may have been cut off when copied');
  }
  return parseSet(new TextDecoder().decode(json));
}

// ---- exam ------------------------------------------------------------------------------------

/** What the exam score needs of a graded exercise (a `Report` fits). */
export interface ExamResult {
  passed: boolean;
  /** 0 to 100. */
  score: number;
}

export interface ExamScoreLine {
  exerciseId: string;
  difficulty: Exercise['difficulty'];
  weight: number;
  /** The exercise's own score, 0 to 100 (0 when nothing was submitted). */
  score: number;
  /** Its share of the total: weight / Σ weights × score. */
  points: number;
  /** The most points it could give. */
  maxPoints: number;
}

export interface ExamScore {
  lines: ExamScoreLine[];
  /** Out of 100, one decimal. */
  total: number;
}

/**
 * The exam's total out of 100: each exercise's score (0 to 100, 0 when missing; a pass counts 100
 * and a failure at most half, `countedScore`, docs/grading.md) weighted by its difficulty's weight (the set's `exam.weights`, else 1 / 2 / 3). `exercises` gives difficulties
 * (the catalog); an exercise missing from it counts as intermediate.
 */
export function examScore(
  results: Readonly<Record<string, ExamResult | undefined>>,
  set: CvSet,
  exercises: readonly Pick<Exercise, 'id' | 'difficulty'>[],
): ExamScore {
  const weights = set.exam?.weights ?? DEFAULT_EXAM_WEIGHTS;
  const entries = set.exercises.map((entry) => {
    const difficulty = exercises.find((e) => e.id === entry.id)?.difficulty ?? 'intermediate';
    return { exerciseId: entry.id, difficulty, weight: weights[difficulty] };
  });
  const totalWeight = entries.reduce((sum, e) => sum + e.weight, 0);
  const lines = entries.map((entry) => {
    const result = Object.hasOwn(results, entry.exerciseId) ? results[entry.exerciseId] : undefined;
    const score = result ? countedScore(result) : 0;
    const maxPoints = totalWeight > 0 ? (100 * entry.weight) / totalWeight : 0;
    return { ...entry, score, maxPoints, points: (maxPoints * score) / 100 };
  });
  const total = Math.round(lines.reduce((sum, l) => sum + l.points, 0) * 10) / 10;
  return { lines, total };
}
