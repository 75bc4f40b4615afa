/**
 * The writer side of the dataset format: turns raw splits into a manifest, its gzip shards and the
 * train split's sample sheet (sample-sheet.ts).
 * Used by `cv-lab datasets prepare` and `import`, and by tests that need a small real dataset.
 */
import { gzip, sha256Hex } from '../shared/bytes';
import {
  DATASET_FORMAT,
  DATASET_FORMAT_VERSION,
  DatasetManifestSchema,
  MANIFEST_FILE,
  imageBytes,
} from './manifest';
import type { DatasetManifest, SampleSheetEntry, Shard, SplitManifest } from './manifest';
import { SAMPLE_SHEET_FILE, pickSampleSheet } from './sample-sheet';
import type { RawSplit, SplitName } from './types';

/** What a dataset says about itself; the rest of the manifest is derived from the data. */
export type DatasetMeta = Pick<
  DatasetManifest,
  'id' | 'title' | 'license' | 'source' | 'classNames' | 'imageShape'
>;

export interface BuildOptions {
  /** Images per image shard. 10,000 28×28 images make a shard of a few MB. */
  imagesPerShard: number;
}

export interface DatasetFile {
  /** File name inside the dataset's folder. */
  name: string;
  bytes: Uint8Array;
}

export interface BuiltDataset {
  manifest: DatasetManifest;
  /** Every file to write, shards and the sample sheet first, `manifest.json` last. */
  files: DatasetFile[];
}

export const DEFAULT_IMAGES_PER_SHARD = 10_000;

export async function buildDatasetFiles(
  meta: DatasetMeta,
  splits: Record<SplitName, RawSplit>,
  options: BuildOptions = { imagesPerShard: DEFAULT_IMAGES_PER_SHARD },
): Promise<BuiltDataset> {
  if (!Number.isInteger(options.imagesPerShard) || options.imagesPerShard < 1) {
    throw new Error(`imagesPerShard must be a positive integer, got ${options.imagesPerShard}`);
  }
  const files: DatasetFile[] = [];
  const addShard = async (file: string, raw: Uint8Array, count: number): Promise<Shard> => {
    const bytes = await gzip(raw);
    files.push({ name: file, bytes });
    return { file, bytes: bytes.length, sha256: await sha256Hex(bytes), count };
  };

  const perImage = imageBytes(meta);
  const buildSplit = async (name: SplitName, split: RawSplit): Promise<SplitManifest> => {
    if (split.images.length !== split.count * perImage) {
      throw new Error(
        `${name}: ${split.images.length} pixel bytes is not ${split.count} images of ${meta.imageShape.join('×')}`,
      );
    }
    if (split.labels.length !== split.count) {
      throw new Error(`${name}: ${split.labels.length} labels for ${split.count} images`);
    }
    const bad = split.labels.findIndex((label) => label >= meta.classNames.length);
    if (bad >= 0) {
      throw new Error(`${name}: label ${split.labels[bad]} at index ${bad} has no class name`);
    }
    const images: Shard[] = [];
    // A split with no images still gets one (empty) shard, so every split has the same shape.
    for (
      let start = 0, index = 0;
      start < split.count || index === 0;
      start += options.imagesPerShard, index++
    ) {
      const count = Math.min(options.imagesPerShard, split.count - start);
      const raw = split.images.subarray(start * perImage, (start + count) * perImage);
      images.push(await addShard(`${name}-images-${index}.bin.gzip`, raw, count));
    }
    const labels = [await addShard(`${name}-labels-0.bin.gzip`, split.labels, split.count)];
    return { count: split.count, images, labels };
  };

  const train = await buildSplit('train', splits.train);
  const test = await buildSplit('test', splits.test);
  const sheet = await buildSampleSheet(meta, splits.train);
  files.push(sheet.file);
  const manifest = DatasetManifestSchema.parse({
    format: DATASET_FORMAT,
    version: DATASET_FORMAT_VERSION,
    ...meta,
    splits: { train, test },
    samples: sheet.entry,
  });
  files.push(manifestFile(manifest));
  return { manifest, files };
}

/** `manifest.json` for a manifest, checked against the schema first. */
export function manifestFile(manifest: DatasetManifest): DatasetFile {
  const checked = DatasetManifestSchema.parse(manifest);
  return { name: MANIFEST_FILE, bytes: new TextEncoder().encode(`${JSON.stringify(checked, null, 2)}\n`) };
}

/**
 * The sample sheet of a (checked) train split: its file and its manifest entry. Also what
 * `cv-lab datasets prepare --if-missing` adds to a dataset prepared before sheets.
 */
export async function buildSampleSheet(
  meta: Pick<DatasetMeta, 'classNames' | 'imageShape'>,
  train: RawSplit,
): Promise<{ file: DatasetFile; entry: SampleSheetEntry }> {
  const { pick, pixels } = pickSampleSheet(train, meta.imageShape, meta.classNames.length);
  const bytes = await gzip(pixels);
  return {
    file: { name: SAMPLE_SHEET_FILE, bytes },
    entry: {
      file: SAMPLE_SHEET_FILE,
      bytes: bytes.length,
      sha256: await sha256Hex(bytes),
      count: pick.images.length,
      ...pick,
    },
  };
}
