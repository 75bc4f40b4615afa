/**
 * Prepared datasets on disk: a quick validity check (for `--if-missing`, which runs before every
 * `npm start` and `npm test` and must be fast), atomic writing, the sample sheet added to a
 * dataset prepared before sheets, and listing.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError, DatasetNotPreparedError } from '../../core/datasets/errors';
import { buildSampleSheet, manifestFile } from '../../core/datasets/build';
import { loadDataset, loadSampleSheet, readManifest } from '../../core/datasets/load';
import { MANIFEST_FILE, allShards, storedFiles } from '../../core/datasets/manifest';
import { SAMPLE_SHEET, pickSampleSheet } from '../../core/datasets/sample-sheet';
import type { DatasetFileReader, LoadedDataset } from '../../core/datasets/types';
import { fsDatasetReader } from './fs-reader';
import type { DatasetManifest } from '../../core/datasets/manifest';
import type { DatasetFile } from '../../core/datasets/build';

export type QuickCheck = { ok: true; manifest: DatasetManifest } | { ok: false; reason: string };

/**
 * Checks that `folder` holds a valid manifest and every shard it lists with the right size,
 * without hashing anything (`cv-lab datasets verify` does the full check).
 */
export async function quickCheckDataset(folder: string): Promise<QuickCheck> {
  let manifest: DatasetManifest;
  try {
    // The loader's own manifest read: bounded in size before it is parsed.
    manifest = await readManifest(fsDatasetReader(folder));
  } catch (error) {
    if (error instanceof DatasetNotPreparedError) return { ok: false, reason: `no ${MANIFEST_FILE}` };
    return { ok: false, reason: (error as Error).message };
  }
  for (const shard of allShards(manifest)) {
    try {
      const { size } = await stat(path.join(folder, shard.file));
      if (size !== shard.bytes) {
        return { ok: false, reason: `${shard.file}: ${size} bytes, the manifest says ${shard.bytes}` };
      }
    } catch {
      return { ok: false, reason: `${shard.file}: missing` };
    }
  }
  return { ok: true, manifest };
}

/**
 * Writes a dataset's files into `<root>/<id>/` so that readers see either the old dataset or the
 * new one, never a mix: the files go into a temporary folder beside it, which is then renamed.
 */
export async function writeDatasetAtomically(
  root: string,
  id: string,
  files: DatasetFile[],
): Promise<string> {
  await mkdir(root, { recursive: true });
  const target = path.join(root, id);
  const temporary = await mkdtemp(path.join(root, `.${id}.tmp-`));
  // mkdtemp creates the folder private (0700); a prepared dataset is served to browsers.
  await chmod(temporary, 0o755);
  const previous = `${temporary}-previous`;
  try {
    for (const file of files) await writeFile(path.join(temporary, file.name), file.bytes);
    if (existsSync(target)) await rename(target, previous);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    if (existsSync(previous) && !existsSync(target)) await rename(previous, target);
    throw error;
  }
  await rm(previous, { recursive: true, force: true });
  return target;
}

/**
 * Gives a valid prepared dataset (`quickCheckDataset`) the sample sheet this version writes, when
 * it has none (prepared before sheets), one of another make (other counts), or a sheet file of the
 * wrong size: decodes its train split (verified) and writes the sheet, then the manifest that lists
 * it (renamed into place, so a reader sees the old manifest or the new one). Returns the manifest
 * and whether it wrote anything. `--if-missing` runs this on the datasets it keeps.
 */
export async function ensureSampleSheet(
  folder: string,
  manifest: DatasetManifest,
): Promise<{ manifest: DatasetManifest; added: boolean }> {
  const listed = manifest.samples;
  if (listed && listed.perClass === SAMPLE_SHEET.perClass && listed.scan === SAMPLE_SHEET.scan) {
    const size = await stat(path.join(folder, listed.file)).then(
      (s) => s.size,
      () => -1,
    );
    if (size === listed.bytes) return { manifest, added: false };
  }
  const loaded = await loadDataset(fsDatasetReader(folder), { splits: ['train'] });
  const sheet = await buildSampleSheet(loaded.manifest, loaded.splits.train!);
  const updated = manifestFile({ ...loaded.manifest, samples: sheet.entry });
  await writeFile(path.join(folder, sheet.file.name), sheet.file.bytes);
  const temporary = path.join(folder, `.${MANIFEST_FILE}.tmp-${process.pid}`);
  await writeFile(temporary, updated.bytes);
  await rename(temporary, path.join(folder, MANIFEST_FILE));
  return { manifest: { ...loaded.manifest, samples: sheet.entry }, added: true };
}

/**
 * Checks a loaded dataset's sample sheet against its train split: the file the manifest lists
 * (size, hash, contents) must hold the images this version picks, with the same ranking. Returns a
 * phrase for `cv-lab datasets verify`; throws a `DatasetError` naming the sheet when it differs.
 */
export async function verifySampleSheet(read: DatasetFileReader, dataset: LoadedDataset): Promise<string> {
  const { manifest } = dataset;
  if (!manifest.samples) return 'no sample sheet (`prepare --if-missing` adds one)';
  const sheet = await loadSampleSheet(read, manifest);
  const expected = pickSampleSheet(dataset.splits.train!, manifest.imageShape, manifest.classNames.length);
  const { file, bytes: _bytes, sha256: _sha256, count: _count, ...listed } = sheet.entry;
  if (JSON.stringify(listed) !== JSON.stringify(expected.pick)) {
    throw new DatasetError(file, 'lists other images than the train split gives: prepare the dataset again');
  }
  if (Buffer.compare(sheet.pixels, expected.pixels) !== 0) {
    throw new DatasetError(file, "its pixels are not the train split's: prepare the dataset again");
  }
  return `sample sheet of ${sheet.entry.count} images`;
}

export interface ListedDataset {
  id: string;
  folder: string;
  /** Present when the manifest parses and every shard has its listed size. */
  manifest?: DatasetManifest;
  /** Why the dataset is not usable, when it is not. */
  problem?: string;
  /** Bytes of all shards, as listed in the manifest. */
  bytes: number;
}

/** Every dataset folder under `root` (hidden and temporary folders skipped), sorted by id. */
export async function listDatasets(root: string): Promise<ListedDataset[]> {
  if (!existsSync(root)) return [];
  const entries = await readdir(root, { withFileTypes: true });
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  const listed: ListedDataset[] = [];
  for (const id of folders.sort()) {
    const folder = path.join(root, id);
    const check = await quickCheckDataset(folder);
    if (check.ok) {
      const bytes = storedFiles(check.manifest).reduce((sum, shard) => sum + shard.bytes, 0);
      listed.push({ id, folder, manifest: check.manifest, bytes });
    } else {
      listed.push({ id, folder, problem: check.reason, bytes: 0 });
    }
  }
  return listed;
}
