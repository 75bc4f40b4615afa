/**
 * Node's `DatasetFileReader`: reads a prepared dataset's files from its folder on disk.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetError, DatasetNotPreparedError } from '../../core/datasets/errors';
import { MANIFEST_FILE } from '../../core/datasets/manifest';
import type { DatasetFileReader } from '../../core/datasets/types';

/**
 * The folder that holds prepared datasets: `$CV_LAB_DATASETS` when set, else `<repo>/public/datasets`
 * (found from this file's location, so it works from any working directory).
 */
export function datasetsRoot(): string {
  const override = process.env.CV_LAB_DATASETS;
  if (override) return path.resolve(override);
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../public/datasets');
}

/** The folder of one prepared dataset. */
export function datasetFolder(id: string, root = datasetsRoot()): string {
  return path.join(root, id);
}

/**
 * A reader over `folder` (the dataset's own folder, named by its id). Throws a
 * `DatasetNotPreparedError` at once when the folder or its manifest is missing; a missing shard
 * is a `DatasetError` naming it.
 */
export function fsDatasetReader(folder: string): DatasetFileReader {
  const id = path.basename(path.resolve(folder));
  if (!existsSync(path.join(folder, MANIFEST_FILE))) throw new DatasetNotPreparedError(id);
  return async (file, onProgress, maxBytes) => {
    if (file !== path.basename(file) || file === '..' || file === '.') {
      throw new DatasetError(file, 'not a file name inside the dataset folder');
    }
    try {
      // A file larger than the manifest says is wrong whatever it holds: refuse it unread.
      const size = (await stat(path.join(folder, file))).size;
      if (maxBytes !== undefined && size > maxBytes) {
        throw new DatasetError(file, `wrong size: ${size} bytes, at most ${maxBytes} expected`);
      }
      const bytes = await readFile(path.join(folder, file));
      onProgress?.(bytes.length, bytes.length);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    } catch (error) {
      if (error instanceof DatasetError) throw error;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw file === MANIFEST_FILE ? new DatasetNotPreparedError(id) : new DatasetError(file, 'missing');
      }
      throw new DatasetError(file, `could not be read (${(error as Error).message})`, { cause: error });
    }
  };
}
