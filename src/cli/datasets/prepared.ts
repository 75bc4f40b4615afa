/**
 * Prepared datasets on disk: a quick validity check (for `--if-missing`, which runs before every
 * `npm start` and `npm test` and must be fast), atomic writing, and listing.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetNotPreparedError } from '../../core/datasets/errors';
import { readManifest } from '../../core/datasets/load';
import { MANIFEST_FILE, allShards } from '../../core/datasets/manifest';
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
      const bytes = allShards(check.manifest).reduce((sum, shard) => sum + shard.bytes, 0);
      listed.push({ id, folder, manifest: check.manifest, bytes });
    } else {
      listed.push({ id, folder, problem: check.reason, bytes: 0 });
    }
  }
  return listed;
}
