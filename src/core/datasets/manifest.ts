/**
 * The dataset format, version 1 (docs/architecture.md, "Formats"): `manifest.json` plus gzip shards.
 *
 * Pixels are uint8 in row-major HWC order, one label byte per image. Every shard is listed with
 * its stored (gzipped) byte size and SHA-256, and the number of images it holds, so a loader can
 * verify each file before using it. The manifest is parsed through this schema on every read.
 */
import { z } from 'zod';
import { DatasetError } from './errors';
import { errorMessage } from '../shared/errors';

export const DATASET_FORMAT = 'cv-lab-dataset';
export const DATASET_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

/**
 * Shard names are plain file names in the dataset's folder: no folders, no `..`, nothing a URL or a
 * file system would read differently. They end in `.gzip`, not `.gz`, on purpose: static servers
 * (Vite's sirv among them) send `.gz` files with `Content-Encoding: gzip`, and the browser would
 * then hand the loader decompressed bytes whose size and hash no longer match.
 */
const fileNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/, 'a plain file name (letters, digits, dot, dash, underscore)');

export const ShardSchema = z.object({
  file: fileNameSchema,
  /** Size of the stored file in bytes (gzipped). */
  bytes: z.number().int().nonnegative(),
  /** SHA-256 of the stored file, lower-case hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
  /** Images (or labels) in this shard. */
  count: z.number().int().nonnegative(),
});
export type Shard = z.infer<typeof ShardSchema>;

export const SplitManifestSchema = z
  .object({
    count: z.number().int().nonnegative(),
    /** Image shards, in order: their pixels concatenated are the split's images. */
    images: z.array(ShardSchema).min(1),
    /** Label shards, in order: one uint8 class index per image. */
    labels: z.array(ShardSchema).min(1),
  })
  .superRefine((split, ctx) => {
    for (const kind of ['images', 'labels'] as const) {
      const sum = split[kind].reduce((total, shard) => total + shard.count, 0);
      if (sum !== split.count) {
        ctx.addIssue({
          code: 'custom',
          path: [kind],
          message: `the ${kind} shards hold ${sum} items but the split's count is ${split.count}`,
        });
      }
    }
  });
export type SplitManifest = z.infer<typeof SplitManifestSchema>;

const SampleRefSchema = z.object({
  /** Index in the train split. */
  index: z.number().int().nonnegative(),
  label: z.number().int().nonnegative(),
});

/**
 * The sample sheet (core/datasets/sample-sheet.ts): a few train images, stored like a shard, that
 * the galleries and the augmentation preview read instead of the train split. Optional: datasets
 * prepared before sheets, and imported ones, have none, and their galleries read the train split.
 */
export const SampleSheetSchema = ShardSchema.extend({
  /** The first this many train images of each class are in the sheet. */
  perClass: z.number().int().nonnegative(),
  /** `striking` ranks the first this many train images. */
  scan: z.number().int().nonnegative(),
  /** The sheet's images in the file's order (ascending train index, each once). */
  images: z.array(SampleRefSchema),
  /** The first `scan` train images, most asymmetric first. */
  striking: z.array(SampleRefSchema),
});
export type SampleSheetEntry = z.infer<typeof SampleSheetSchema>;

export const DatasetManifestSchema = z
  .object({
    format: z.literal(DATASET_FORMAT),
    version: z.literal(DATASET_FORMAT_VERSION),
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    title: z.string().min(1),
    license: z.string().min(1),
    /** Where the original data comes from (a URL or a citation). */
    source: z.string().min(1),
    classNames: z.array(z.string().min(1)).min(1).max(256),
    /** [height, width, channels]. */
    imageShape: z.tuple([
      z.number().int().positive(),
      z.number().int().positive(),
      z.number().int().positive(),
    ]),
    splits: z.object({ train: SplitManifestSchema, test: SplitManifestSchema }),
    samples: SampleSheetSchema.optional(),
  })
  .superRefine((manifest, ctx) => {
    if (manifest.samples) checkSampleSheet(manifest.samples, manifest, ctx);
    const seen = new Set<string>(manifest.samples ? [manifest.samples.file] : []);
    for (const [splitName, split] of Object.entries(manifest.splits)) {
      for (const kind of ['images', 'labels'] as const) {
        split[kind].forEach((shard, index) => {
          if (seen.has(shard.file)) {
            ctx.addIssue({
              code: 'custom',
              path: ['splits', splitName, kind, index, 'file'],
              message: `'${shard.file}' is listed twice`,
            });
          }
          seen.add(shard.file);
        });
      }
    }
    if (seen.has(MANIFEST_FILE)) {
      ctx.addIssue({ code: 'custom', path: ['splits'], message: `a shard cannot be named ${MANIFEST_FILE}` });
    }
  });
export type DatasetManifest = z.infer<typeof DatasetManifestSchema>;

/** What a sheet's entry claims must fit the split it was taken from. */
function checkSampleSheet(
  sheet: SampleSheetEntry,
  manifest: { classNames: string[]; splits: { train: { count: number } } },
  ctx: z.RefinementCtx,
): void {
  const issue = (path: PropertyKey[], message: string) =>
    ctx.addIssue({ code: 'custom', path: ['samples', ...path], message });
  const trainCount = manifest.splits.train.count;
  if (sheet.count !== sheet.images.length) {
    issue(['count'], `the sheet holds ${sheet.count} images but lists ${sheet.images.length}`);
  }
  const refs = (kind: 'images' | 'striking', below: number) =>
    sheet[kind].forEach((ref, at) => {
      if (ref.index >= below)
        issue([kind, at, 'index'], `${ref.index} is past the images it may name (${below})`);
      if (ref.label >= manifest.classNames.length)
        issue([kind, at, 'label'], `${ref.label} has no class name`);
      if (kind === 'images' && at > 0 && ref.index <= sheet.images[at - 1].index) {
        issue([kind, at, 'index'], 'the sheet lists its images in ascending train order, each once');
      }
    });
  refs('images', trainCount);
  refs('striking', Math.min(sheet.scan, trainCount));
  if (sheet.striking.length !== Math.min(sheet.scan, trainCount)) {
    issue(
      ['striking'],
      `ranks ${sheet.striking.length} images, not the first ${Math.min(sheet.scan, trainCount)}`,
    );
  }
}

/** `splits.train.images[0].sha256`: the path of a zod issue as a reader would write it. */
function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    text += typeof key === 'number' ? `[${key}]` : `${text ? '.' : ''}${String(key)}`;
  }
  return text || '(root)';
}

/**
 * Parses a manifest's text. Throws a `DatasetError` on `manifest.json` that names the first
 * offending field (`splits.train.count: ...`), or says the JSON itself is broken.
 */
export function parseManifest(text: string): DatasetManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DatasetError(MANIFEST_FILE, `not valid JSON (${errorMessage(error)})`);
  }
  const result = DatasetManifestSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 3).map((i) => `${formatIssuePath(i.path)}: ${i.message}`);
    const more = result.error.issues.length > 3 ? ` (and ${result.error.issues.length - 3} more)` : '';
    throw new DatasetError(MANIFEST_FILE, `invalid manifest: ${issues.join('; ')}${more}`);
  }
  return result.data;
}

/** Every shard of the manifest in a fixed order: train images, train labels, test images, test labels. */
export function allShards(manifest: DatasetManifest): Shard[] {
  const { train, test } = manifest.splits;
  return [...train.images, ...train.labels, ...test.images, ...test.labels];
}

/**
 * Every file of the dataset besides its manifest: the shards (`allShards`) and the sample sheet,
 * when there is one. What a copy of the dataset (offline, on disk) must hold. The dataset's hash
 * covers the shards alone: the sheet is a view of the train split, not more data.
 */
export function storedFiles(manifest: DatasetManifest): Shard[] {
  return manifest.samples ? [...allShards(manifest), manifest.samples] : allShards(manifest);
}

/** Bytes per image: height × width × channels. */
export function imageBytes(manifest: Pick<DatasetManifest, 'imageShape'>): number {
  const [height, width, channels] = manifest.imageShape;
  return height * width * channels;
}
