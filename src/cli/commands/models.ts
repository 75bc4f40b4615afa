/**
 * `cv-lab models`: the pretrained-model registry from the command line.
 * - `list`: every registered model, its source and whether it is available here;
 * - `pretrain <id>`: trains one of our own models from its recipe and writes
 *   `public/models/<id>/` (model.json, weights.bin, provenance.json); same seed, same weights;
 * - `fetch <id>`: downloads (or re-checks) a `url` model into the cache.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { sha256Hex } from '../../core/shared/bytes';
import { loadDataset } from '../../core/datasets/load';
import { toLabDataset, toTestTensors } from '../../core/datasets/tensors';
import { mulberry32 } from '../../core/shared/shuffle';
import { buildMobileNetV1 } from '../../core/models/mobilenet';
import {
  findPretrained,
  loadPretrained,
  PRETRAINED_MODELS,
  SYMBOLS_MOBILENET_ID,
} from '../../core/models/registry';
import { CliError } from '../cli-error';
import { datasetFolder, fsDatasetReader } from '../datasets/fs-reader';
import { bundledModelsRoot, fileTrustStore, modelCacheRoot, nodeModelReader } from '../models/model-files';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { positiveNumber, positiveWholeNumber, wholeNumber } from '../options';

/** How our own pretrained models are made. Changing a recipe changes the weights: re-run pretrain. */
export interface PretrainRecipe {
  id: string;
  dataset: string;
  alpha: number;
  inputShape: [number, number, number];
  seed: number;
  /** Epochs at `learningRate`. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  /**
   * Then this many epochs at `annealLearningRate`, with a fresh Adam: a constant rate leaves the
   * weights swinging; a short low-rate tail settles them (and the features a frozen base passes on).
   */
  annealEpochs: number;
  annealLearningRate: number;
  /**
   * Training images to use (of the dataset's train split, 10% of them held out for validation); the
   * rest of the split is not used. The provenance records how many the dataset actually gave.
   */
  trainCount: number;
}

export const PRETRAIN_RECIPES: readonly PretrainRecipe[] = [
  {
    id: SYMBOLS_MOBILENET_ID,
    dataset: 'symbols',
    alpha: 0.25,
    // 48×48: a 20-class pretraining fits the 25-minute budget of a 2-core machine.
    inputShape: [48, 48, 3],
    seed: 7,
    epochs: 27,
    batchSize: 32,
    learningRate: 0.002,
    annealEpochs: 8,
    annealLearningRate: 0.0002,
    trainCount: 8000,
  },
];

export function registerModelsCommand(program: Command, setExitCode: (code: number) => void): void {
  const models = program.command('models').description('pretrained models: list, pretrain, fetch');
  models
    .command('list')
    .description('list the registered pretrained models')
    .action(() => {
      for (const entry of PRETRAINED_MODELS) {
        const where =
          entry.source.kind === 'bundled'
            ? existsSync(path.join(bundledModelsRoot(), entry.id, 'model.json'))
              ? 'bundled'
              : 'bundled (missing: run `cv-lab models pretrain`)'
            : existsSync(path.join(modelCacheRoot(), entry.id, 'files', 'model.json'))
              ? 'cached'
              : `download from ${entry.source.url}`;
        process.stdout.write(
          `${entry.id}\n  ${entry.title}\n  input ${entry.inputShape.join('×')} in ${entry.inputRange}, ` +
            `${entry.classes ? `${entry.classes} classes` : 'a feature vector (no classifier)'}; ${where}\n  licence: ${entry.licence}\n`,
        );
      }
    });
  models
    .command('pretrain <id>')
    .description('train one of our own pretrained models from its recipe (deterministic)')
    .option('--out <folder>', 'models folder to write into (default: public/models)')
    .option('--epochs <n>', 'override the recipe (the provenance records it)')
    .option('--train-count <n>', 'override the recipe (the provenance records it)')
    .option('--learning-rate <x>', 'override the recipe (the provenance records it)')
    .option('--batch-size <n>', 'override the recipe (the provenance records it)')
    .option('--anneal-epochs <n>', 'override the recipe, 0 for none (the provenance records it)')
    .option(
      '--resume <folder>',
      "continue from a model folder written by this recipe's run at the end of its first phase " +
        '(the same weights as running straight through: the annealing phase starts a fresh Adam)',
    )
    .action(
      async (
        id: string,
        options: {
          out?: string;
          epochs?: string;
          trainCount?: string;
          learningRate?: string;
          batchSize?: string;
          resume?: string;
          annealEpochs?: string;
        },
      ) => {
        const recipe = PRETRAIN_RECIPES.find((r) => r.id === id);
        if (!recipe) {
          throw new CliError(
            `no pretrain recipe for "${id}"; recipes: ${PRETRAIN_RECIPES.map((r) => r.id).join(', ')}`,
          );
        }
        const overridden = {
          ...recipe,
          ...(options.epochs ? { epochs: positiveWholeNumber('--epochs', options.epochs) } : {}),
          ...(options.trainCount
            ? { trainCount: positiveWholeNumber('--train-count', options.trainCount) }
            : {}),
          ...(options.learningRate
            ? { learningRate: positiveNumber('--learning-rate', options.learningRate) }
            : {}),
          ...(options.batchSize ? { batchSize: positiveWholeNumber('--batch-size', options.batchSize) } : {}),
          ...(options.annealEpochs ? { annealEpochs: annealEpochsOption(options.annealEpochs) } : {}),
        };
        await pretrain(overridden, path.resolve(options.out ?? bundledModelsRoot()), options.resume);
        setExitCode(0);
      },
    );
  models
    .command('fetch <id>')
    .description('download a published model into the cache and record its hashes (trust on first use)')
    .option('--url <base>', 'download from this base URL instead of the canonical one')
    .action(async (id: string, options: { url?: string }) => {
      const entry = findPretrained(id);
      if (!entry) throw new CliError(`no pretrained model "${id}"`);
      await initNodeBackend('wasm');
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const model = await loadPretrained(tf, id, nodeModelReader(id, { baseUrl: options.url, log }), {
        trust: fileTrustStore(),
      });
      process.stdout.write(
        `${id}: ${model.layers.length} layers, ${model.countParams()} parameters, hashes checked\n`,
      );
      model.dispose();
      setExitCode(0);
    });
}

function annealEpochsOption(text: string): number {
  const value = wholeNumber('--anneal-epochs', text)!;
  if (value < 0) throw new CliError(`--anneal-epochs must be 0 or more, got '${text}'`);
  return value;
}

/** Glorot-uniform kernels from a seeded generator: tfjs's own initialisers draw from Math.random. */
function seedWeights(model: tf.LayersModel, seed: number): void {
  const random = mulberry32(seed);
  const created: tf.Tensor[] = [];
  const weights = model.getWeights().map((w, i) => {
    const name = model.weights[i].originalName;
    if (!/kernel$/.test(name)) return w;
    const shape = w.shape;
    const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const fanIn = receptive * shape[shape.length - 2];
    const fanOut = /depthwise/.test(name) ? receptive : receptive * shape[shape.length - 1];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const values = Float32Array.from({ length: w.size }, () => (random() * 2 - 1) * limit);
    const seeded = tf.tensor(values, shape);
    created.push(seeded);
    return seeded;
  });
  model.setWeights(weights);
  tf.dispose(created);
}

/** What a run records of itself and where it starts: from scratch, or after phase 1 of an earlier run. */
interface ResumePoint {
  history: Record<string, number>[];
  trainSeconds: number;
  weights: tf.Tensor[];
}

/**
 * Reads the model folder an earlier run of `recipe` wrote at the end of its first phase: refused
 * unless its provenance has the same recipe (but the annealing phase) and exactly `epochs` epochs.
 */
async function readResumePoint(recipe: PretrainRecipe, folder: string): Promise<ResumePoint> {
  const read = (name: string) => readFile(path.join(folder, name));
  let provenance: {
    recipe?: Partial<PretrainRecipe>;
    history?: Record<string, number>[];
    trainSeconds?: number;
  };
  try {
    provenance = JSON.parse((await read('provenance.json')).toString('utf8'));
  } catch (error) {
    throw new CliError(`--resume ${folder}: no readable provenance.json (${(error as Error).message})`);
  }
  const phaseOne = [
    'id',
    'dataset',
    'alpha',
    'inputShape',
    'seed',
    'batchSize',
    'learningRate',
    'trainCount',
  ] as const;
  const differs = phaseOne.filter(
    (key) => JSON.stringify(provenance.recipe?.[key]) !== JSON.stringify(recipe[key]),
  );
  if (differs.length)
    throw new CliError(`--resume ${folder}: trained by another recipe (${differs.join(', ')} differ)`);
  const history = provenance.history ?? [];
  if (history.length !== recipe.epochs) {
    throw new CliError(
      `--resume ${folder}: it ends after epoch ${history.length}, the recipe's first phase after epoch ${recipe.epochs}`,
    );
  }
  const modelJson = JSON.parse((await read('model.json')).toString('utf8'));
  const weightData = new Uint8Array(await read('weights.bin'));
  const saved = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: weightData.buffer,
    }),
  );
  const weights = saved.getWeights().map((w) => w.clone());
  saved.dispose();
  return { history, trainSeconds: provenance.trainSeconds ?? 0, weights };
}

async function pretrain(recipe: PretrainRecipe, outRoot: string, resumeFolder?: string): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  await initNodeBackend('wasm');
  const dataset = await loadDataset(fsDatasetReader(datasetFolder(recipe.dataset)), {
    splits: ['train', 'test'],
  });
  const shape = dataset.manifest.imageShape;
  if (shape.join() !== recipe.inputShape.join()) {
    throw new CliError(
      `${recipe.dataset} is prepared at ${shape.join('×')}, the recipe wants ${recipe.inputShape.join('×')}`,
    );
  }
  const data = toLabDataset(tf, dataset, {
    limit: recipe.trainCount,
    validationSplit: 0.1,
    seed: recipe.seed,
  });
  const classes = data.classNames.length;
  const model = buildMobileNetV1(tf, {
    alpha: recipe.alpha,
    inputShape: recipe.inputShape,
    classes,
    includeTop: true,
    dropout: 0,
  });
  seedWeights(model, recipe.seed);
  const compile = (learningRate: number) =>
    model.compile({
      optimizer: tf.train.adam(learningRate),
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
    });
  compile(recipe.learningRate);
  const resumed = resumeFolder ? await readResumePoint(recipe, path.resolve(resumeFolder)) : undefined;
  if (resumed) {
    model.setWeights(resumed.weights);
    tf.dispose(resumed.weights);
  }
  log(
    `pretraining ${recipe.id}: MobileNet v1 alpha ${recipe.alpha} on ${recipe.dataset}, ` +
      `${data.train.count} train / ${data.validation?.count ?? 0} validation images, ${recipe.epochs} epochs`,
  );
  const shuffle = mulberry32(recipe.seed + 1);
  // Our own shuffle (fit's draws from Math.random), so the same recipe gives the same weights.
  const shuffledOrder = () => {
    const order = Array.from({ length: data.train.count }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(shuffle() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  };
  const history: Record<string, number>[] = resumed ? [...resumed.history] : [];
  // A resumed run replays the shuffles of the epochs it skips, so epoch k sees the same order.
  for (let epoch = 0; epoch < history.length; epoch++) shuffledOrder();
  const started = Date.now() - (resumed?.trainSeconds ?? 0) * 1000;
  const totalEpochs = recipe.epochs + recipe.annealEpochs;
  for (let epoch = history.length; epoch < totalEpochs; epoch++) {
    if (epoch === recipe.epochs) compile(recipe.annealLearningRate);
    const order = shuffledOrder();
    const indices = tf.tensor1d(order, 'int32');
    const xs = tf.gather(data.train.xs, indices);
    const ys = tf.gather(data.train.ys, indices);
    const result = await model.fit(xs, ys, {
      epochs: 1,
      batchSize: recipe.batchSize,
      shuffle: false,
      validationData: data.validation ? [data.validation.xs, data.validation.ys] : undefined,
    });
    tf.dispose([indices, xs, ys]);
    const logs = Object.fromEntries(Object.entries(result.history).map(([k, v]) => [k, Number(v[0])]));
    history.push(logs);
    log(
      `epoch ${epoch + 1}/${totalEpochs}: loss ${logs.loss.toFixed(4)} acc ${logs.acc?.toFixed(4)} ` +
        `val_acc ${logs.val_acc?.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
    await evaluateAndWrite(
      model,
      recipe,
      dataset,
      data,
      history,
      (Date.now() - started) / 1000,
      outRoot,
      log,
      resumed ? resumeFolder : undefined,
    );
  }
  model.dispose();
}

/** Where the model was trained, so that `trainSeconds` can be read against the hardware. */
function machineDescription(): { cpu: string; cores: number; node: string; platform: string } {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/**
 * Tests the model on the dataset's test split and writes model.json, weights.bin and provenance.json.
 * Called after every epoch, so a long run interrupted still leaves the last finished epoch on disk
 * (its provenance says how many epochs it had: `--epochs N` reproduces it, the shuffle and the
 * learning rate of epoch k not depending on how many epochs follow).
 */
async function evaluateAndWrite(
  model: tf.LayersModel,
  recipe: PretrainRecipe,
  dataset: Awaited<ReturnType<typeof loadDataset>>,
  data: ReturnType<typeof toLabDataset>,
  history: Record<string, number>[],
  trainSeconds: number,
  outRoot: string,
  log: (line: string) => void,
  resumedFrom?: string,
): Promise<void> {
  const classes = data.classNames.length;
  // Record what this run did, not what the recipe asked for: the epochs finished so far in each
  // phase and the images the dataset gave (a dataset smaller than `trainCount` gives all it has).
  const usedCount = data.train.count + (data.validation?.count ?? 0);
  recipe = {
    ...recipe,
    epochs: Math.min(history.length, recipe.epochs),
    annealEpochs: Math.max(0, history.length - recipe.epochs),
    trainCount: usedCount,
  };
  const test = toTestTensors(tf, dataset);
  const predicted = tf.tidy(() => (model.predict(test.xs) as tf.Tensor).argMax(-1));
  const predictedValues = await predicted.data();
  let right = 0;
  test.labels.forEach((label, i) => (right += label === predictedValues[i] ? 1 : 0));
  const testAccuracy = right / test.labels.length;
  tf.dispose([predicted, test.xs]);
  log(`test accuracy ${testAccuracy.toFixed(4)} on ${test.labels.length} images`);

  const folder = path.join(outRoot, recipe.id);
  await mkdir(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!));
      const modelJson = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      const jsonBytes = new TextEncoder().encode(`${JSON.stringify(modelJson)}\n`);
      await writeFile(path.join(folder, 'model.json'), jsonBytes);
      await writeFile(path.join(folder, 'weights.bin'), weights);
      const provenance = {
        id: recipe.id,
        architecture: `MobileNet v1, alpha ${recipe.alpha}, input ${recipe.inputShape.join('×')}, ${classes}-class softmax top`,
        data: {
          dataset: recipe.dataset,
          source: dataset.manifest.source,
          datasetHash: dataset.hash,
          trainImages: data.train.count,
          validationImages: data.validation?.count ?? 0,
          testImages: test.labels.length,
          classNames: data.classNames,
        },
        recipe: {
          ...recipe,
          optimizer: 'adam',
          loss: 'categoricalCrossentropy',
          initialisation: 'glorot-uniform kernels from mulberry32(seed); batch norm at its defaults',
          shuffle: 'per epoch with mulberry32(seed + 1)',
          schedule:
            'Adam at learningRate for `epochs`, then a fresh Adam at annealLearningRate for `annealEpochs`',
          backend: tf.getBackend(),
          command: `npx cv-lab models pretrain ${recipe.id}`,
        },
        machine: machineDescription(),
        history,
        testAccuracy,
        trainSeconds: Math.round(trainSeconds),
        ...(resumedFrom ? { resumedFrom: `${resumedFrom} (its first phase; see --resume)` } : {}),
        sha256: {
          'model.json': await sha256Hex(jsonBytes),
          'weights.bin': await sha256Hex(weights),
        },
        trainedAt: new Date().toISOString(),
      };
      await writeFile(path.join(folder, 'provenance.json'), `${JSON.stringify(provenance, null, 2)}\n`);
      log(
        `wrote ${folder}: weights ${(weights.byteLength / 1024).toFixed(0)} KB\n` +
          `sha256 (put these in src/core/models/registry.ts): ${JSON.stringify(provenance.sha256)}`,
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}
