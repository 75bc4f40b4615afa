/**
 * Vite plugin: the exercise catalog as the page and its worker receive it (docs/architecture.md,
 * "Exercise cards and grading keys"). The learner's page must not hold solutions, hints or quiz
 * answers in its bundle, so each exercise folder is split here, at build time:
 *
 * - `virtual:cv-lab/catalog` (the page): every exercise's card (exercise.json, brief, starter, quiz
 *   questions without answers), the catalog's errors, and a loader per exercise for its hints.
 * - `virtual:cv-lab/grading` (the lab worker, the trusted host): loaders for each exercise's grading
 *   key and reference. A function exercise's key is computed here, in Node: the hidden cases and
 *   the reference solution's answers to them, as case JSON (core/shared/case-json.ts), so the page
 *   grades without ever loading the solution. A quiz's key is its answers.
 *
 * Each loader is a separate chunk. Chunks named `private-*` (hints, quiz answers, references) are
 * left out of the service worker's precache: they are fetched only when shown or graded with
 * outside an exam, and cached then. Function keys (`grading-*`) are precached, since a learner
 * grades with them offline and in exams; they hold inputs and expected outputs, not the solution.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';
import { catalogFromFiles, type Catalog } from '../src/core/exercises/catalog.ts';
import { cardOf, type ExerciseBundle } from '../src/core/exercises/schema.ts';
import { prepareCases } from '../src/core/sandbox/run-cases.ts';
import { toCaseJson } from '../src/core/shared/case-json.ts';

const CATALOG = 'virtual:cv-lab/catalog';
const GRADING = 'virtual:cv-lab/grading';
/** `\0cv-lab-part:<kind>:<exercise id>`: one part of one exercise, its own chunk. */
const PART_PREFIX = '\0cv-lab-part:';
const PART_KINDS = ['hints', 'quiz', 'reference', 'cases'] as const;
type PartKind = (typeof PART_KINDS)[number];

/** Chunk file names the service worker does not precache (scripts/vite-plugin-offline.ts). */
export const ON_DEMAND_CHUNK = /^assets\/private-/;

/** Names part chunks so the offline plugin can tell private ones: `assets/private-hints-<id>-<hash>.js`. */
export function partChunkFileName(chunk: { facadeModuleId: string | null }): string | undefined {
  const id = chunk.facadeModuleId;
  if (!id?.startsWith(PART_PREFIX)) return undefined;
  const [kind, exerciseId] = id.slice(PART_PREFIX.length).split(':');
  const prefix = kind === 'cases' ? 'grading' : `private-${kind}`;
  return `assets/${prefix}-${exerciseId}-[hash].js`;
}

/** Rollup's `chunkFileNames` with part chunks named by `partChunkFileName`. */
export function chunkFileNames(chunk: { facadeModuleId: string | null }): string {
  return partChunkFileName(chunk) ?? 'assets/[name]-[hash].js';
}

function readExerciseFiles(root: string): Record<string, string> {
  const dir = path.join(root, 'exercises');
  const files: Record<string, string> = {};
  for (const folder of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    for (const name of fs.readdirSync(path.join(dir, folder.name))) {
      files[`exercises/${folder.name}/${name}`] = fs.readFileSync(path.join(dir, folder.name, name), 'utf8');
    }
  }
  return files;
}

const json = (value: unknown) => JSON.stringify(value);

/**
 * One key at a time: `prepareCases` opens and closes tfjs engine scopes around awaits, and two
 * interleaved on one engine would dispose each other's tensors.
 */
let keyQueue: Promise<unknown> = Promise.resolve();
function functionKey(bundle: ExerciseBundle): Promise<unknown> {
  const next = keyQueue.then(() => computeFunctionKey(bundle));
  keyQueue = next.catch(() => undefined);
  return next;
}

/** The hidden cases and the reference's answers, computed with tfjs's CPU backend. */
async function computeFunctionKey(bundle: ExerciseBundle): Promise<unknown> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  // tfjs greets Node users once per CPU backend ("install tfjs-node"): not a build's concern.
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
  const prepared = await prepareCases(tf, bundle);
  return {
    cases: prepared.cases,
    calls: prepared.calls.map(({ call, args }) => ({ call, args: args.map(toCaseJson) })),
    expected: prepared.expected.map((value) => toCaseJson(value as never)),
    casesHash: prepared.casesHash,
  };
}

export function exercisesPlugin({ root }: { root: string }): Plugin {
  let catalog: Catalog | undefined;
  const readCatalog = () => (catalog ??= catalogFromFiles(readExerciseFiles(root)));
  const loaders = (kind: PartKind, has: (bundle: ExerciseBundle) => boolean) =>
    `{${readCatalog()
      .bundles.filter(has)
      .map((b) => `${json(b.exercise.id)}: () => import(${json(`${PART_PREFIX}${kind}:${b.exercise.id}`)})`)
      .join(',\n')}}`;
  return {
    name: 'cv-lab-exercises',
    resolveId(id) {
      if (id === CATALOG || id === GRADING) return `\0${id}`;
      if (id.startsWith(PART_PREFIX)) return id;
      return undefined;
    },
    async load(id) {
      if (id === `\0${CATALOG}` || id === `\0${GRADING}` || id.startsWith(PART_PREFIX)) {
        // Edits to an exercise rebuild the modules in dev.
        for (const file of Object.keys(readExerciseFiles(root))) this.addWatchFile(path.join(root, file));
      }
      if (id === `\0${CATALOG}`) {
        const { bundles, errors } = readCatalog();
        return [
          `export const cards = ${json(bundles.map(cardOf))};`,
          `export const errors = ${json(errors)};`,
          `export const hints = ${loaders('hints', (b) => b.hints !== undefined)};`,
        ].join('\n');
      }
      if (id === `\0${GRADING}`) {
        return [
          `export const cases = ${loaders('cases', (b) => b.exercise.kind === 'function')};`,
          `export const quizzes = ${loaders('quiz', (b) => b.exercise.kind === 'quiz')};`,
          `export const references = ${loaders('reference', (b) => b.exercise.kind === 'function')};`,
        ].join('\n');
      }
      if (!id.startsWith(PART_PREFIX)) return undefined;
      const [kind, exerciseId] = id.slice(PART_PREFIX.length).split(':') as [PartKind, string];
      const bundle = readCatalog().bundles.find((b) => b.exercise.id === exerciseId);
      if (!bundle || !PART_KINDS.includes(kind)) return undefined;
      switch (kind) {
        case 'hints':
          return `export default ${json(bundle.hints ?? '')};`;
        case 'quiz':
          return `export default ${json(bundle.quiz)};`;
        case 'reference':
          return `export default ${json({ solution: bundle.solution, cases: bundle.cases ?? '' })};`;
        case 'cases':
          return `export default ${json(await functionKey(bundle))};`;
      }
    },
    handleHotUpdate({ file, server }) {
      if (!file.startsWith(path.join(root, 'exercises') + path.sep)) return;
      catalog = undefined;
      for (const id of server.moduleGraph.idToModuleMap.keys()) {
        if (id === `\0${CATALOG}` || id === `\0${GRADING}` || id.startsWith(PART_PREFIX)) {
          const module = server.moduleGraph.getModuleById(id);
          if (module) server.moduleGraph.invalidateModule(module);
        }
      }
      server.ws.send({ type: 'full-reload' });
    },
  };
}
