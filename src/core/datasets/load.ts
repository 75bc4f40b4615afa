/**
 * Loads a prepared dataset through a `DatasetFileReader` (fetch in the browser, fs in Node) and
 * verifies every byte before handing it out: each shard's stored size and SHA-256, that it
 * gunzips, and that it decodes to exactly `count` images (or labels). Anything wrong throws a
 * `DatasetError` naming the file; a caller never gets half a dataset.
 */
import { inflateBounded, InflateLimitError, sha256Hex } from '../shared/bytes';
import { DatasetError } from './errors';
import { MANIFEST_FILE, allShards, imageBytes, parseManifest } from './manifest';
import type { DatasetManifest, SampleSheetEntry, Shard } from './manifest';
import type { DatasetFileReader, LoadedDataset, LoadProgress, RawSplit, SplitName } from './types';
import { errorMessage } from '../shared/errors';

export { DatasetError, DatasetNotPreparedError } from './errors';

/** `manifest.json` larger than this is refused unread (a real one is a few KB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/**
 * What one shard may decode to. Shards are written at 4 to 8 MB of pixels; the margin leaves room
 * for a single large image per shard, while a forged manifest cannot make a loader inflate more.
 */
export const MAX_DECODED_SHARD_BYTES = 64 * 1024 * 1024;
/** What one load (the splits asked for, pixels and labels) may decode to in all. */
export const MAX_DECODED_DATASET_BYTES = 1024 * 1024 * 1024;

export interface LoadOptions {
  /** Which splits to read. The learner's side reads `['train']`; the grader `['test']`. */
  splits: SplitName[];
  /** Called as bytes arrive; `total` is the stored size of every shard requested. */
  onProgress?: (progress: LoadProgress) => void;
}

/**
 * SHA-256 over the manifest's shard hashes (every split, in `allShards` order, joined by newlines):
 * one value that names the exact data a report was graded on, whichever splits were loaded.
 */
export function datasetHash(manifest: DatasetManifest): Promise<string> {
  const text = allShards(manifest)
    .map((shard) => shard.sha256)
    .join('\n');
  return sha256Hex(new TextEncoder().encode(text));
}

/** Reads the manifest alone (for listings and quick checks). */
export async function readManifest(read: DatasetFileReader): Promise<DatasetManifest> {
  const bytes = await readFile(read, MANIFEST_FILE, undefined, MAX_MANIFEST_BYTES);
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new DatasetError(
      MANIFEST_FILE,
      `${bytes.length} bytes, more than the ${MAX_MANIFEST_BYTES} a manifest may be`,
    );
  }
  return parseManifest(new TextDecoder().decode(bytes));
}

export async function loadDataset(read: DatasetFileReader, options: LoadOptions): Promise<LoadedDataset> {
  const manifest = await readManifest(read);
  const requested = [...new Set(options.splits)];
  checkDecodedSizes(manifest, requested);
  const total = requested.reduce(
    (sum, name) =>
      sum +
      [...manifest.splits[name].images, ...manifest.splits[name].labels].reduce((s, x) => s + x.bytes, 0),
    0,
  );
  let done = 0;
  const readShard = async (shard: Shard, itemBytes: number): Promise<Uint8Array> => {
    const stored = await readFile(
      read,
      shard.file,
      (loaded) =>
        options.onProgress?.({ file: shard.file, loaded: done + Math.min(loaded, shard.bytes), total }),
      shard.bytes,
    );
    const decoded = await verifyShard(shard, stored, itemBytes);
    done += shard.bytes;
    options.onProgress?.({ file: shard.file, loaded: done, total });
    return decoded;
  };

  const splits: LoadedDataset['splits'] = {};
  for (const name of requested) {
    const split = manifest.splits[name];
    const images = await concatShards(split.images, split.count * imageBytes(manifest), (shard) =>
      readShard(shard, imageBytes(manifest)),
    );
    const labels = await concatShards(split.labels, split.count, (shard) => readShard(shard, 1));
    checkLabels(split.labels, labels, manifest.classNames.length);
    splits[name] = { images, labels, count: split.count } satisfies RawSplit;
  }
  return { manifest, hash: await datasetHash(manifest), splits };
}

/** A dataset's sample sheet (sample-sheet.ts), verified and decoded: `pixels` holds its images in order. */
export interface LoadedSampleSheet {
  manifest: DatasetManifest;
  entry: SampleSheetEntry;
  pixels: Uint8Array;
}

/**
 * Reads and verifies the sample sheet the manifest lists (size, SHA-256, what it decodes to), like
 * a shard. Throws a `DatasetError` naming the sheet's file when it is missing or damaged, and when
 * the manifest lists none (a dataset prepared before sheets).
 */
export async function loadSampleSheet(
  read: DatasetFileReader,
  manifest: DatasetManifest,
): Promise<LoadedSampleSheet> {
  const entry = manifest.samples;
  if (!entry) throw new DatasetError(MANIFEST_FILE, 'lists no sample sheet');
  const perImage = imageBytes(manifest);
  checkShardSize(entry, perImage);
  const stored = await readFile(read, entry.file, undefined, entry.bytes);
  return { manifest, entry, pixels: await verifyShard(entry, stored, perImage) };
}

async function readFile(
  read: DatasetFileReader,
  file: string,
  onProgress?: (loaded: number, total: number | undefined) => void,
  maxBytes?: number,
): Promise<Uint8Array> {
  try {
    return await read(file, onProgress, maxBytes);
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    const message = errorMessage(error);
    throw new DatasetError(file, `could not be read (${message})`, { cause: error });
  }
}

/** Checks one stored shard against its manifest entry and returns its decoded bytes. */
async function verifyShard(shard: Shard, stored: Uint8Array, itemBytes: number): Promise<Uint8Array> {
  if (stored.length < shard.bytes) {
    throw new DatasetError(shard.file, `truncated: ${stored.length} of ${shard.bytes} bytes`);
  }
  if (stored.length > shard.bytes) {
    throw new DatasetError(
      shard.file,
      `wrong size: ${stored.length} bytes, the manifest says ${shard.bytes}`,
    );
  }
  const actual = await sha256Hex(stored);
  if (actual !== shard.sha256) {
    throw new DatasetError(shard.file, `corrupt: SHA-256 is ${actual}, the manifest says ${shard.sha256}`);
  }
  // The hash only proves the file is the one the manifest names, not that it is what it claims:
  // inflation stops at the first byte past what the manifest says the shard holds.
  const expected = shard.count * itemBytes;
  let decoded: Uint8Array;
  try {
    decoded = await inflateBounded(stored, 'gzip', expected);
  } catch (error) {
    if (error instanceof InflateLimitError) {
      throw new DatasetError(
        shard.file,
        `corrupt: ${error.message} (${shard.count} × ${itemBytes} by the manifest)`,
        { cause: error },
      );
    }
    const message = errorMessage(error);
    throw new DatasetError(shard.file, `corrupt: not a valid gzip file (${message})`, { cause: error });
  }
  if (decoded.length !== expected) {
    throw new DatasetError(
      shard.file,
      `corrupt: decodes to ${decoded.length} bytes, expected ${expected} (${shard.count} × ${itemBytes})`,
    );
  }
  return decoded;
}

/**
 * Refuses, before reading any shard, a manifest whose shards or splits would decode to more than a
 * loader may hold: the caps `inflateBounded` enforces come from these declared sizes.
 */
function checkDecodedSizes(manifest: DatasetManifest, splits: SplitName[]): void {
  const perImage = imageBytes(manifest);
  let total = 0;
  for (const name of splits) {
    const split = manifest.splits[name];
    for (const [shards, itemBytes] of [
      [split.images, perImage],
      [split.labels, 1],
    ] as const) {
      for (const shard of shards) checkShardSize(shard, itemBytes);
    }
    total += split.count * (perImage + 1);
  }
  if (total > MAX_DECODED_DATASET_BYTES) {
    throw new DatasetError(
      MANIFEST_FILE,
      `declares ${total} bytes of ${splits.join(' and ')} data, more than the ${MAX_DECODED_DATASET_BYTES} a dataset may hold`,
    );
  }
}

/** Refuses a shard (or a sample sheet) that declares more than a shard may hold, decoded or stored. */
function checkShardSize(shard: Shard, itemBytes: number): void {
  const decoded = shard.count * itemBytes;
  if (decoded > MAX_DECODED_SHARD_BYTES) {
    throw new DatasetError(
      shard.file,
      `declares ${decoded} bytes (${shard.count} × ${itemBytes}), more than the ${MAX_DECODED_SHARD_BYTES} a shard may hold`,
    );
  }
  // gzip never grows data by more than a few bytes per 16 KB: a larger stored size is a lie.
  const mostStored = decoded + Math.ceil(decoded / 1000) + 1024;
  if (shard.bytes > mostStored) {
    throw new DatasetError(
      shard.file,
      `declares ${shard.bytes} stored bytes, more than gzip takes for the ${decoded} bytes it holds`,
    );
  }
}

/** Reads shards in order into one buffer of `length` bytes (allocated once, no second copy). */
async function concatShards(
  shards: Shard[],
  length: number,
  readShard: (shard: Shard) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  if (shards.length === 1) return readShard(shards[0]);
  const out = new Uint8Array(length);
  let offset = 0;
  for (const shard of shards) {
    const bytes = await readShard(shard);
    out.set(bytes, offset);
    offset += bytes.length;
  }
  return out;
}

function checkLabels(shards: Shard[], labels: Uint8Array, classCount: number): void {
  let offset = 0;
  for (const shard of shards) {
    for (let i = offset; i < offset + shard.count; i++) {
      if (labels[i] >= classCount) {
        throw new DatasetError(
          shard.file,
          `corrupt: label ${labels[i]} at index ${i - offset} is not one of the ${classCount} classes`,
        );
      }
    }
    offset += shard.count;
  }
}
