/**
 * The shapes shared by every dataset loader. The manifest schema itself lives in `manifest.ts`.
 */
import type { DatasetManifest } from './manifest';

export type SplitName = 'train' | 'test';

/**
 * Reads one file of a prepared dataset, by its path relative to the dataset's folder
 * (`manifest.json`, `train-images-0.bin.gzip`, ...). The browser passes a fetch-based reader, Node an
 * fs-based one; both return the bytes exactly as stored (still gzipped). `onProgress` reports bytes.
 * `maxBytes` is the size the manifest gives the file (or a ceiling): a reader may refuse, with a
 * `DatasetError`, a file it sees is larger before reading it all; the loader checks sizes anyway.
 */
export type DatasetFileReader = (
  path: string,
  onProgress?: (loaded: number, total: number | undefined) => void,
  maxBytes?: number,
) => Promise<Uint8Array>;

/** One split, decoded and verified: pixels uint8 HWC row-major, one label byte per image. */
export interface RawSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface LoadedDataset {
  manifest: DatasetManifest;
  /** SHA-256 over the manifest's shard hashes: names the exact data a report was graded on. */
  hash: string;
  splits: Partial<Record<SplitName, RawSplit>>;
}

export interface LoadProgress {
  /** The file being read. */
  file: string;
  /** Bytes read so far over all files requested. */
  loaded: number;
  total: number;
}
