/**
 * Vite plugin for CV Lab offline:
 *
 * - `/sw.js`: bundles `src/app/offline/service-worker.ts` (with rolldown, Vite's own bundler) and
 *   writes into it the list of every file the build emitted plus the files in `public/` outside
 *   `datasets/` and `models/` (the web app manifest, the icons): datasets and pretrained models are
 *   cached when used or asked for, in their own caches, not with every app version. The version is a hash of that list and of the
 *   files' content, so any change to the app makes a new service worker, which the page offers
 *   as an update.
 * - `/datasets/index.json`: the datasets prepared in `public/datasets` (`cv-lab datasets prepare`
 *   or `import`), with each manifest's title, counts and byte size, for the datasets page. Written
 *   at build time, and served live by the dev server.
 * - `/models/index.json`: the bundled pretrained models in `public/models/<id>/`, with the size of
 *   each file the loader reads (`model.json` and its `weightsManifest` paths), the same way.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { rolldown } from 'rolldown';
import type { Plugin } from 'vite';
import { MANIFEST_FILE, parseManifest, storedFiles } from '../src/core/datasets/manifest.ts';
import type { DatasetsIndex, DatasetsIndexEntry } from '../src/app/offline/datasets-index.ts';
import type { ModelsIndex, ModelsIndexEntry } from '../src/app/offline/models-index.ts';
import { MODEL_JSON, modelWeightPaths } from '../src/storage/model-cache.ts';
import { ON_DEMAND_CHUNK } from './vite-plugin-exercises.ts';
import { errorMessage } from '../src/core/shared/errors.ts';

export interface OfflinePluginOptions {
  /** The project root (holds src and public). */
  root: string;
}

/** Reads every `public/datasets/<id>/manifest.json`; a broken one is left out with a warning. */
export function buildDatasetsIndex(datasetsDir: string, warn: (message: string) => void): DatasetsIndex {
  const datasets: DatasetsIndexEntry[] = [];
  const folders = fs.existsSync(datasetsDir) ? fs.readdirSync(datasetsDir, { withFileTypes: true }) : [];
  for (const folder of folders.filter((f) => f.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const manifestPath = path.join(datasetsDir, folder.name, MANIFEST_FILE);
    if (!fs.existsSync(manifestPath)) continue;
    try {
      const text = fs.readFileSync(manifestPath, 'utf8');
      const manifest = parseManifest(text);
      datasets.push({
        id: manifest.id,
        title: manifest.title,
        classCount: manifest.classNames.length,
        imageShape: manifest.imageShape,
        trainCount: manifest.splits.train.count,
        testCount: manifest.splits.test.count,
        bytes: storedFiles(manifest).reduce((sum, shard) => sum + shard.bytes, Buffer.byteLength(text)),
      });
    } catch (error) {
      warn(`datasets/index.json: skipping ${folder.name}: ${errorMessage(error)}`);
    }
  }
  return { format: 'cv-lab-datasets-index', version: 1, datasets };
}

/**
 * Reads every `public/models/<id>/model.json` and sizes it and the weight files it names; a model
 * whose files are broken or missing is left out with a warning.
 */
export function buildModelsIndex(modelsDir: string, warn: (message: string) => void): ModelsIndex {
  const models: ModelsIndexEntry[] = [];
  const folders = fs.existsSync(modelsDir) ? fs.readdirSync(modelsDir, { withFileTypes: true }) : [];
  for (const folder of folders.filter((f) => f.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const modelJsonPath = path.join(modelsDir, folder.name, MODEL_JSON);
    if (!fs.existsSync(modelJsonPath)) continue;
    try {
      const paths = [MODEL_JSON, ...modelWeightPaths(folder.name, fs.readFileSync(modelJsonPath))];
      const files = paths.map((file) => {
        const full = path.join(modelsDir, folder.name, file);
        if (!fs.existsSync(full)) throw new Error(`${file} is missing`);
        return { path: file, bytes: fs.statSync(full).size };
      });
      models.push({ id: folder.name, files, bytes: files.reduce((sum, f) => sum + f.bytes, 0) });
    } catch (error) {
      warn(`models/index.json: skipping ${folder.name}: ${errorMessage(error)}`);
    }
  }
  return { format: 'cv-lab-models-index', version: 1, models };
}

/** Files under `public/` the app itself needs (everything but datasets and models), root-relative. */
function publicAppFiles(publicDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, prefix: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = `${prefix}/${entry.name}`;
      if (rel === '/datasets' || rel === '/models') continue;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), rel);
      else out.push(rel);
    }
  };
  walk(publicDir, '');
  return out;
}

async function bundleServiceWorker(entry: string): Promise<string> {
  const bundle = await rolldown({ input: entry, logLevel: 'warn' });
  try {
    const { output } = await bundle.generate({ format: 'iife' });
    return output[0].code;
  } finally {
    await bundle.close();
  }
}

export function offlinePlugin({ root }: OfflinePluginOptions): Plugin {
  const publicDir = path.join(root, 'public');
  const datasetsDir = path.join(publicDir, 'datasets');
  const modelsDir = path.join(publicDir, 'models');
  return {
    name: 'cv-lab-offline',
    enforce: 'post',
    configureServer(server) {
      server.middlewares.use('/datasets/index.json', (_req, res) => {
        const index = buildDatasetsIndex(datasetsDir, (m) => server.config.logger.warn(m));
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(index));
      });
      server.middlewares.use('/models/index.json', (_req, res) => {
        const index = buildModelsIndex(modelsDir, (m) => server.config.logger.warn(m));
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(index));
      });
    },
    async generateBundle(_options, bundle) {
      const index = buildDatasetsIndex(datasetsDir, (m) => this.warn(m));
      this.emitFile({
        type: 'asset',
        fileName: 'datasets/index.json',
        source: `${JSON.stringify(index, null, 2)}\n`,
      });
      const modelsIndex = buildModelsIndex(modelsDir, (m) => this.warn(m));
      this.emitFile({
        type: 'asset',
        fileName: 'models/index.json',
        source: `${JSON.stringify(modelsIndex, null, 2)}\n`,
      });

      const hash = createHash('sha256');
      const built = Object.values(bundle)
        .filter(
          (file) =>
            !['datasets/index.json', 'models/index.json'].includes(file.fileName) &&
            !file.fileName.endsWith('.map') &&
            // Hints, quiz answers and references load only when needed (vite-plugin-exercises.ts).
            !ON_DEMAND_CHUNK.test(file.fileName),
        )
        .sort((a, b) => a.fileName.localeCompare(b.fileName));
      for (const file of built) {
        hash.update(file.fileName);
        hash.update(file.type === 'chunk' ? file.code : file.source);
      }
      const fromPublic = publicAppFiles(publicDir).sort();
      for (const file of fromPublic) {
        hash.update(file);
        hash.update(fs.readFileSync(path.join(publicDir, file)));
      }
      const urls = [...new Set(['/index.html', ...built.map((f) => `/${f.fileName}`), ...fromPublic])];
      const worker = await bundleServiceWorker(path.join(root, 'src/app/offline/service-worker.ts'));
      hash.update(worker);
      const manifest = { version: hash.digest('hex').slice(0, 16), urls };
      const code = worker.replace(/\b__CV_LAB_PRECACHE__\b/g, `(${JSON.stringify(manifest)})`);
      if (code === worker) this.error('sw.js: the precache placeholder was not found in the bundle');
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: code });
    },
  };
}
