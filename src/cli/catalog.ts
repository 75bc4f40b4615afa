/** Reads the exercise catalog from `exercises/` on disk, through the same loader as the page. */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogFromFiles, type Catalog } from '../core/exercises/catalog';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export async function readCatalog(root = join(repoRoot, 'exercises')): Promise<Catalog> {
  const files: Record<string, string> = {};
  for (const folder of await readdir(root, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    for (const name of await readdir(join(root, folder.name))) {
      files[`exercises/${folder.name}/${name}`] = await readFile(join(root, folder.name, name), 'utf8');
    }
  }
  return catalogFromFiles(files);
}
