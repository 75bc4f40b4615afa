/**
 * The datasets our own code generates: `shapes`, `surface-defects` and its binary view
 * `surface-defects-binary` (the same images, labelled ok / defect), `symbols` (the pretraining set of
 * our MobileNet base) and `novel-symbols` (the held-out task it transfers to). The manifest's `source` names the
 * generator, its version, seed, size and counts, so `--if-missing` regenerates when any differs.
 */
import { generateShapes, SHAPES_CLASS_NAMES, SHAPES_DEFAULTS } from '../../core/datasets/generate/shapes';
import {
  generateSurfaceDefects,
  SURFACE_DEFECT_BINARY_CLASS_NAMES,
  SURFACE_DEFECT_CLASS_NAMES,
  SURFACE_DEFECTS_DEFAULTS,
  toBinaryDefectSplit,
} from '../../core/datasets/generate/surface-defects';
import {
  generateNovelSymbols,
  generateSymbols,
  NOVEL_SYMBOLS_CLASS_NAMES,
  NOVEL_SYMBOLS_DEFAULTS,
  SYMBOLS_CLASS_NAMES,
  SYMBOLS_DEFAULTS,
} from '../../core/datasets/generate/symbols';
import type { RawSplit } from '../../core/datasets/types';
import { CliError } from '../cli-error';
import type { DatasetPreparer, PrepareOptions, PrepareResult } from './preparer';
import { resolveTarget, writePrepared } from './preparer';

export interface GeneratedOptions extends PrepareOptions {
  trainCount?: number;
  testCount?: number;
}

interface GeneratedSpec {
  id: string;
  title: string;
  description: string;
  generator: string;
  /** Bump when the generator's output changes, so prepared copies are regenerated. */
  version: number;
  classNames: readonly string[];
  defaults: { seed: number; size: number; trainCount: number; testCount: number };
  channels: number;
  generate: (seed: number, count: number, size: number, stream: number) => RawSplit;
}

/** Training pictures come from one station, test pictures from the whole plant (see `SurfacePose`). */
function surfaceDefectsSplit(seed: number, count: number, size: number, stream: number): RawSplit {
  return generateSurfaceDefects({ seed, count, size, stream, pose: stream === 0 ? 'station' : 'plant' });
}

const SPECS: GeneratedSpec[] = [
  {
    id: 'shapes',
    title: 'Shapes (generated)',
    description: `generated RGB shapes (${SHAPES_CLASS_NAMES.join(', ')})`,
    generator: 'src/core/datasets/generate/shapes.ts',
    version: 2,
    classNames: SHAPES_CLASS_NAMES,
    defaults: SHAPES_DEFAULTS,
    channels: 3,
    generate: (seed, count, size, stream) => generateShapes({ seed, count, size, stream }),
  },
  {
    id: 'surface-defects',
    title: 'Surface defects (generated)',
    description: `generated grayscale inspection images (${SURFACE_DEFECT_CLASS_NAMES.join(', ')}): train from one station, test from the whole plant`,
    generator: 'src/core/datasets/generate/surface-defects.ts',
    // 3: training pictures from one station (one quadrant of angles), test pictures from the plant.
    version: 3,
    classNames: SURFACE_DEFECT_CLASS_NAMES,
    defaults: SURFACE_DEFECTS_DEFAULTS,
    channels: 1,
    generate: surfaceDefectsSplit,
  },
  {
    id: 'surface-defects-binary',
    title: 'Surface defects, ok / defect (generated)',
    description: 'the surface-defects images labelled ok / defect',
    generator: 'src/core/datasets/generate/surface-defects.ts (binary view)',
    version: 3,
    classNames: SURFACE_DEFECT_BINARY_CLASS_NAMES,
    defaults: SURFACE_DEFECTS_DEFAULTS,
    channels: 1,
    generate: (seed, count, size, stream) =>
      toBinaryDefectSplit(surfaceDefectsSplit(seed, count, size, stream)),
  },
  {
    id: 'symbols',
    title: 'Symbols, 20 classes (generated, for pretraining)',
    description: `generated RGB symbols in 20 classes, the pretraining set of symbols-mobilenet-v1-0.25`,
    generator: 'src/core/datasets/generate/symbols.ts',
    version: 1,
    classNames: SYMBOLS_CLASS_NAMES,
    defaults: SYMBOLS_DEFAULTS,
    channels: 3,
    generate: (seed, count, size, stream) => generateSymbols({ seed, count, size, stream }),
  },
  {
    id: 'novel-symbols',
    title: 'Novel symbols, 5 classes never pretrained on (generated)',
    description: `generated RGB symbols (${NOVEL_SYMBOLS_CLASS_NAMES.join(', ')}), none of them in symbols`,
    generator: 'src/core/datasets/generate/symbols.ts',
    // 2: lightning bolt and flower instead of crescent and bow tie (too close to horseshoe and
    // hollow triangle at 48×48: scripts/pretrain-baselines/README.md).
    version: 2,
    classNames: NOVEL_SYMBOLS_CLASS_NAMES,
    defaults: NOVEL_SYMBOLS_DEFAULTS,
    channels: 3,
    generate: (seed, count, size, stream) => generateNovelSymbols({ seed, count, size, stream }),
  },
];

function checkCount(name: string, value: number) {
  if (!Number.isInteger(value) || value < 1 || value > 200_000) {
    throw new CliError(`${name} must be a whole number from 1 to 200,000, got ${value}`);
  }
}

async function prepareGenerated(spec: GeneratedSpec, options: GeneratedOptions): Promise<PrepareResult> {
  const log = options.log ?? (() => {});
  const seed = options.seed ?? spec.defaults.seed;
  const [height, width] = options.size ?? [spec.defaults.size, spec.defaults.size];
  if (height !== width) throw new CliError(`${spec.id} images are square: --size ${height}x${width} is not`);
  if (height < 16 || height > 512)
    throw new CliError(`${spec.id}: --size must be from 16 to 512, got ${height}`);
  const trainCount = options.trainCount ?? spec.defaults.trainCount;
  const testCount = options.testCount ?? spec.defaults.testCount;
  checkCount('the train count', trainCount);
  checkCount('the test count', testCount);
  const source =
    `generated by cv-lab (${spec.generator}, generator version ${spec.version}), ` +
    `seed ${seed}, ${height}×${width}, ${trainCount} train and ${testCount} test images`;

  const target = await resolveTarget(spec.id, options);
  if (options.ifMissing && target.existing?.source === source) {
    return { folder: target.folder, manifest: target.existing, skipped: true };
  }
  const started = Date.now();
  log(
    `generating ${spec.id}: ${trainCount} train and ${testCount} test images of ${height}×${width}×${spec.channels}, seed ${seed}`,
  );
  const train = spec.generate(seed, trainCount, height, 0);
  const test = spec.generate(seed, testCount, height, 1);
  log(`generated in ${((Date.now() - started) / 1000).toFixed(1)} s; writing ${target.folder}`);
  return writePrepared(
    target,
    {
      id: spec.id,
      title: spec.title,
      license: 'CC0-1.0 (generated by this project)',
      source,
      classNames: [...spec.classNames],
      imageShape: [height, width, spec.channels],
    },
    { train, test },
    source,
  );
}

export const GENERATED_PREPARERS: DatasetPreparer[] = SPECS.map((spec) => ({
  id: spec.id,
  description: spec.description,
  prepare: (options: GeneratedOptions) => prepareGenerated(spec, options),
}));

/** Prepares one generated set by id, with counts (tests use small ones). */
export function prepareGeneratedDataset(id: string, options: GeneratedOptions): Promise<PrepareResult> {
  const spec = SPECS.find((s) => s.id === id);
  if (!spec) throw new CliError(`'${id}' is not a generated dataset: ${SPECS.map((s) => s.id).join(', ')}`);
  return prepareGenerated(spec, options);
}
