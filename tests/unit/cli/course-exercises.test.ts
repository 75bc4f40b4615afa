/**
 * The course's exercises (horses-or-humans, rock-paper-scissors, cats-vs-dogs filtered on the
 * published MobileNet v2): they validate, name the grader their targets come from and say they were
 * not measured here; `cv-lab verify` skips them, saying what to run and how big the download is,
 * when the data or the model is absent, and measures them when both are present (here a miniature
 * dataset and a miniature graph model, served by a local server and fetched the way a user does).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCatalog } from '../../../src/cli/catalog';
import { IMAGE_ARCHIVE_SETS, prepareImageArchiveSet } from '../../../src/cli/datasets/image-archive-sets';
import { downloadBytes, findDownloadable, formatDownloadSize } from '../../../src/core/datasets/downloads';
import { disposeGraph } from '../../../src/core/models/graph-features';
import { findPretrained, IMAGENET_MOBILENET_V2_ID } from '../../../src/core/models/registry';
import { runCli } from '../datasets/cli-helpers';
import { encodePng, serveArchives, zipTree } from '../../fixtures/datasets-more/images';
import { featureVectorGraphFiles } from '../../fixtures/models/feature-vector-graph';

const COURSE = ['course-horses-or-humans', 'course-rock-paper-scissors', 'course-cats-vs-dogs'];
const temp = await mkdtemp(path.join(os.tmpdir(), 'cv-lab-course-exercises-'));
afterAll(() => rm(temp, { recursive: true, force: true }));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const savedEnv = { ...process.env };
beforeEach(() => {
  process.env.CV_LAB_DATASETS = path.join(temp, `datasets-${Math.random()}`);
  process.env.CV_LAB_MODEL_CACHE = path.join(temp, `models-${Math.random()}`);
});
afterEach(() => {
  process.env = { ...savedEnv };
  disposeGraph(IMAGENET_MOBILENET_V2_ID);
});

describe('the course exercises in the catalog', () => {
  it('validate, use a downloadable dataset and the published MobileNet v2, and name their target source', async () => {
    const catalog = await readCatalog();
    expect(catalog.errors).toEqual([]);
    for (const id of COURSE) {
      const bundle = catalog.bundles.find((b) => b.exercise.id === id);
      expect(bundle, id).toBeDefined();
      const { exercise, brief, solution } = bundle!;
      expect(findDownloadable(exercise.dataset!), id).toBeDefined();
      expect(exercise.pretrained).toEqual([IMAGENET_MOBILENET_V2_ID]);
      expect(findPretrained(IMAGENET_MOBILENET_V2_ID)!.source.kind).toBe('url');
      expect(solution).toContain(`lab.models.load('${IMAGENET_MOBILENET_V2_ID}'`);
      expect(exercise.rules).toContainEqual({ type: 'requiresLayer', layer: 'PretrainedFeatures' });
      // The source: the course's graded assignment, named; and said plainly: not measured here.
      expect(exercise.targetSource?.measuredHere, id).toBe(false);
      expect(exercise.targetSource?.source).toMatch(
        /DeepLearning\.AI TensorFlow Developer.*assignment C2W[23]/s,
      );
      expect(exercise.targetSource?.note).toMatch(/^Not measured here/);
      expect(brief).toMatch(/not measured here/i);
      // The brief says how big the download is and what to run.
      expect(brief).toContain(`npx cv-lab datasets prepare ${exercise.dataset}`);
      const size = formatDownloadSize(downloadBytes(findDownloadable(exercise.dataset!)!));
      expect(brief.replace(/\s+/g, ' ')).toContain(`(${size}, once)`);
    }
  });
});

describe('cv-lab verify on a course exercise', () => {
  it('skips it, saying what to run and how big the download is, when the data and the model are absent', async () => {
    const result = await runCli(['verify', '--exercise', 'course-horses-or-humans']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'course-horses-or-humans: skipped: dataset horses-or-humans is not prepared: run `npx cv-lab datasets prepare horses-or-humans` (downloads 161 MB once); ' +
        `pretrained model ${IMAGENET_MOBILENET_V2_ID} is not downloaded: run \`npx cv-lab models fetch ${IMAGENET_MOBILENET_V2_ID}\`\n`,
    );
    expect(result.stdout).toContain('skipped: dataset horses-or-humans is not prepared');
  });

  it('measures it when both are present (a miniature dataset and base, fetched from a local server)', async () => {
    // horses-or-humans in miniature: two zips of class folders, flat colours per class.
    const tree = (n: number) => {
      const files: Record<string, Uint8Array> = {};
      for (let i = 0; i < n; i++) {
        files[`horses/horse${i}.png`] = encodePng(40, 40, [150, 100, 60]);
        files[`humans/human${i}.png`] = encodePng(40, 40, [60, 90, 200]);
      }
      return zipTree(files);
    };
    const archives = new Map([
      ['horse-or-human.zip', tree(6)],
      ['validation-horse-or-human.zip', tree(2)],
      ...featureVectorGraphFiles(4).files,
    ]);
    const server = await serveArchives(archives);
    try {
      await prepareImageArchiveSet(
        IMAGE_ARCHIVE_SETS.find((s) => s.id === 'horses-or-humans')!,
        {
          url: server.baseUrl,
          out: process.env.CV_LAB_DATASETS,
          cacheDir: path.join(temp, 'downloads'),
          hashes: Object.fromEntries(
            ['horse-or-human.zip', 'validation-horse-or-human.zip'].map((f) => [f, sha256(archives.get(f)!)]),
          ),
        },
      );
      const fetched = await runCli(['models', 'fetch', IMAGENET_MOBILENET_V2_ID, '--url', server.baseUrl]);
      expect(fetched.code).toBe(0);
      disposeGraph(IMAGENET_MOBILENET_V2_ID); // verify's runs load it themselves, from the cache
    } finally {
      await server.close();
    }

    const result = await runCli(['verify', '--exercise', 'course-horses-or-humans', '--json', '--seed', '1']);
    const line = JSON.parse(result.stdout.trim());
    expect(line.skipped).toBe(false);
    // Both ran to a report: the solution on the frozen base, graded on the host, which loaded the
    // base from the registry (the cache) to rebuild the model; the starter fails the base rule.
    expect(line.problems.filter((p: string) => /fails to run|does not run/.test(p))).toEqual([]);
    expect(line.solutionPassed).toBe(true);
    expect(line.starterPassed).toBe(false);
  }, 300_000);
});
