/**
 * `cv-lab datasets prepare | list | verify`: the prepared datasets the lab reads from
 * `public/datasets/` (docs/architecture.md, "Formats"). Progress goes to stderr, results to stdout.
 */
import type { Command } from 'commander';
import { DatasetError, DatasetNotPreparedError } from '../../core/datasets/errors';
import { loadDataset } from '../../core/datasets/load';
import { stripControlCharacters } from '../../core/text/control-characters';
import { CliError } from '../cli-error';
import { wholeNumber } from '../options';
import { FASHION_MNIST_ID, prepareFashionMnist } from '../datasets/fashion-mnist';
import { datasetFolder, datasetsRoot, fsDatasetReader } from '../datasets/fs-reader';
import { ensureSampleSheet, listDatasets, verifySampleSheet } from '../datasets/prepared';
import { parseSize } from '../../core/datasets/images/fit';
import { importImageFolder, IMPORT_DEFAULTS } from '../datasets/image-import';
import { DATASET_PREPARERS, findPreparer } from '../datasets/registry';

const PREPARABLE = [FASHION_MNIST_ID, ...DATASET_PREPARERS.map((preparer) => preparer.id)];

interface PrepareFlags {
  from?: string;
  out?: string;
  ifMissing?: boolean;
  url?: string;
  size?: string;
  limit?: string;
  seed?: string;
  cache?: string;
}

function sizeOption(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  try {
    return parseSize(text);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

/** Lines can carry names from other people's files (class folders, entries): printed clean. */
const progress = (line: string) => process.stderr.write(`${stripControlCharacters(line)}\n`);
const formatMb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const formatCount = (n: number) => n.toLocaleString('en-US');

export function registerDatasetsCommand(program: Command, _setExitCode: (code: number) => void): void {
  const datasets = program.command('datasets').description('prepare, list and verify datasets');

  datasets
    .command('prepare')
    .description('write a dataset in the lab format (generated, or from its original files)')
    .argument('<id>', `dataset to prepare: ${PREPARABLE.join(', ')}`)
    .option('--from <folder>', 'folder holding the original files, downloaded by hand (idx .gz files, zips)')
    .option('--out <folder>', 'datasets folder to write into (default: public/datasets, or $CV_LAB_DATASETS)')
    .option('--if-missing', 'do nothing when a valid prepared dataset is already there')
    .option('--url <base>', 'download the originals from this base URL instead of the canonical one')
    .option('--size <HxW>', 'image size, for example 96x96 (not for fashion-mnist)')
    .option('--limit <n>', 'at most this many images per class (image archives such as cats-vs-dogs)')
    .option('--seed <n>', 'seed of generated datasets and of train/test splits')
    .option(
      '--cache <folder>',
      'where downloads are kept (default: $CV_LAB_CACHE, else ~/.cache/cv-lab/downloads)',
    )
    .addHelpText(
      'after',
      `\nDatasets:\n  ${FASHION_MNIST_ID}: Zalando's clothes, 28×28 gray\n` +
        DATASET_PREPARERS.map((p) => `  ${p.id}: ${p.description}`).join('\n'),
    )
    .action(async (id: string, options: PrepareFlags) => {
      let result;
      if (id === FASHION_MNIST_ID) {
        for (const flag of ['size', 'limit', 'seed', 'cache'] as const) {
          if (options[flag] !== undefined)
            throw new CliError(`--${flag} does not apply to ${FASHION_MNIST_ID}`);
        }
        result = await prepareFashionMnist({ ...options, log: progress });
      } else {
        const preparer = findPreparer(id);
        if (!preparer) {
          throw new CliError(
            `cannot prepare '${id}': the datasets cv-lab can prepare are ${PREPARABLE.join(', ')}`,
          );
        }
        result = await preparer.prepare({
          out: options.out,
          ifMissing: options.ifMissing,
          from: options.from,
          url: options.url,
          size: sizeOption(options.size),
          limit: wholeNumber('--limit', options.limit),
          seed: wholeNumber('--seed', options.seed),
          cacheDir: options.cache,
          log: progress,
        });
      }
      const { train, test } = result.manifest.splits;
      if (result.skipped) {
        progress(`${id} is already prepared in ${result.folder}`);
        // A copy prepared before sample sheets gets one, so its galleries need not read the train split.
        const { added } = await ensureSampleSheet(result.folder, result.manifest);
        if (added) progress(`${id}: wrote its sample sheet (the images the galleries show)`);
        return;
      }
      process.stdout.write(
        `prepared ${id} in ${result.folder}: ${formatCount(train.count)} train, ${formatCount(test.count)} test images\n`,
      );
    });

  datasets
    .command('import')
    .description('make a dataset from your own images: one sub-folder per class, as a folder or a zip')
    .argument('<folder-or-zip>', 'a folder (or a zip of one) holding one sub-folder of images per class')
    .requiredOption('--id <id>', 'the new dataset id (lower-case letters, digits, dashes)')
    .option(
      '--size <HxW>',
      `image size (default ${IMPORT_DEFAULTS.size.join('x')}); images are centre-cropped to its aspect, then resized`,
    )
    .option('--channels <1|3>', `1 for gray, 3 for RGB (default ${IMPORT_DEFAULTS.channels})`)
    .option(
      '--test-fraction <f>',
      `share of each class kept for the test split (default ${IMPORT_DEFAULTS.testFraction})`,
    )
    .option('--seed <n>', `seed of the train/test split (default ${IMPORT_DEFAULTS.seed})`)
    .option('--title <title>', 'the title shown in the lab (default: the id)')
    .option('--out <folder>', 'datasets folder to write into (default: public/datasets, or $CV_LAB_DATASETS)')
    .option('--force', 'replace an existing dataset of the same id')
    .option(
      '--allow-empty-test',
      'import even when the test split holds no image (too few images per class); --test-fraction may then be 0',
    )
    .action(
      async (
        input: string,
        options: {
          id: string;
          size?: string;
          channels?: string;
          testFraction?: string;
          seed?: string;
          title?: string;
          out?: string;
          force?: boolean;
          allowEmptyTest?: boolean;
        },
      ) => {
        if (options.channels !== undefined && options.channels !== '1' && options.channels !== '3') {
          throw new CliError(`--channels must be 1 or 3, got '${options.channels}'`);
        }
        const testFraction = options.testFraction === undefined ? undefined : Number(options.testFraction);
        const result = await importImageFolder({
          input,
          id: options.id,
          size: sizeOption(options.size),
          channels: options.channels === undefined ? undefined : (Number(options.channels) as 1 | 3),
          testFraction,
          seed: wholeNumber('--seed', options.seed),
          title: options.title,
          out: options.out,
          force: options.force,
          allowEmptyTest: options.allowEmptyTest,
          log: progress,
        });
        const { train, test } = result.manifest.splits;
        process.stdout.write(
          `imported ${options.id} into ${result.folder}: ${result.manifest.classNames.length} classes, ` +
            `${formatCount(train.count)} train, ${formatCount(test.count)} test images ` +
            `(${result.manifest.imageShape.join('×')})\n`,
        );
      },
    );

  datasets
    .command('list')
    .description('list prepared datasets with their counts and size')
    .option('--root <folder>', 'datasets folder (default: public/datasets, or $CV_LAB_DATASETS)')
    .action(async (options: { root?: string }) => {
      const root = options.root ?? datasetsRoot();
      const listed = await listDatasets(root);
      if (listed.length === 0) {
        process.stdout.write(`no datasets in ${root}: run \`npx cv-lab datasets prepare fashion-mnist\`\n`);
        return;
      }
      for (const entry of listed) {
        const id = stripControlCharacters(entry.id);
        if (!entry.manifest) {
          process.stdout.write(`${id}\tnot usable: ${stripControlCharacters(entry.problem ?? '')}\n`);
          continue;
        }
        const { splits, classNames, imageShape, title } = entry.manifest;
        process.stdout.write(
          `${id}\t${stripControlCharacters(title)}\t${formatCount(splits.train.count)} train\t${formatCount(splits.test.count)} test\t` +
            `${classNames.length} classes\t${imageShape.join('×')}\t${formatMb(entry.bytes)}\n`,
        );
      }
    });

  datasets
    .command('verify')
    .description('re-check every file of a prepared dataset (sizes, SHA-256, contents)')
    .argument('<id>', 'dataset id, e.g. fashion-mnist')
    .option('--root <folder>', 'datasets folder (default: public/datasets, or $CV_LAB_DATASETS)')
    .action(async (id: string, options: { root?: string }) => {
      try {
        const read = fsDatasetReader(datasetFolder(id, options.root ?? datasetsRoot()));
        const dataset = await loadDataset(read, { splits: ['train', 'test'] });
        const { train, test } = dataset.manifest.splits;
        const sheet = await verifySampleSheet(read, dataset);
        process.stdout.write(
          `${id}: OK (${formatCount(train.count)} train, ${formatCount(test.count)} test images; ` +
            `dataset hash ${dataset.hash}; ${sheet})\n`,
        );
      } catch (error) {
        if (error instanceof DatasetNotPreparedError) throw new CliError(error.message);
        if (error instanceof DatasetError) throw new CliError(`${id}: ${error.message}`);
        throw error;
      }
    });
}
