/**
 * `cv-lab datasets prepare | list | verify`: the prepared datasets the lab reads from
 * `public/datasets/` (DESIGN.md, "Dataset format"). Progress goes to stderr, results to stdout.
 */
import type { Command } from 'commander';
import { DatasetError, DatasetNotPreparedError } from '../../core/datasets/errors';
import { loadDataset } from '../../core/datasets/load';
import { CliError } from '../cli-error';
import { FASHION_MNIST_ID, prepareFashionMnist } from '../datasets/fashion-mnist';
import { datasetFolder, datasetsRoot, fsDatasetReader } from '../datasets/fs-reader';
import { listDatasets } from '../datasets/prepared';

const PREPARABLE = [FASHION_MNIST_ID];

const progress = (line: string) => process.stderr.write(`${line}\n`);
const formatMb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const formatCount = (n: number) => n.toLocaleString('en-US');

export function registerDatasetsCommand(program: Command, _setExitCode: (code: number) => void): void {
  const datasets = program.command('datasets').description('prepare, list and verify datasets');

  datasets
    .command('prepare')
    .description('write a dataset in the lab format (for now: fashion-mnist)')
    .argument('<id>', `dataset to prepare: ${PREPARABLE.join(', ')}`)
    .option(
      '--from <folder>',
      'folder holding the original files (for fashion-mnist: the four idx .gz files)',
    )
    .option('--out <folder>', 'datasets folder to write into (default: public/datasets, or $CV_LAB_DATASETS)')
    .option('--if-missing', 'do nothing when a valid prepared dataset is already there')
    .option('--url <base>', 'download the originals from this base URL instead of the canonical one')
    .action(
      async (id: string, options: { from?: string; out?: string; ifMissing?: boolean; url?: string }) => {
        if (id !== FASHION_MNIST_ID) {
          throw new CliError(
            `cannot prepare '${id}': the datasets cv-lab can prepare are ${PREPARABLE.join(', ')}`,
          );
        }
        const result = await prepareFashionMnist({ ...options, log: progress });
        const { train, test } = result.manifest.splits;
        if (result.skipped) {
          progress(`${id} is already prepared in ${result.folder}`);
          return;
        }
        process.stdout.write(
          `prepared ${id} in ${result.folder}: ${formatCount(train.count)} train, ${formatCount(test.count)} test images\n`,
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
        if (!entry.manifest) {
          process.stdout.write(`${entry.id}\tnot usable: ${entry.problem}\n`);
          continue;
        }
        const { splits, classNames, imageShape, title } = entry.manifest;
        process.stdout.write(
          `${entry.id}\t${title}\t${formatCount(splits.train.count)} train\t${formatCount(splits.test.count)} test\t` +
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
        process.stdout.write(
          `${id}: OK (${formatCount(train.count)} train, ${formatCount(test.count)} test images; ` +
            `dataset hash ${dataset.hash})\n`,
        );
      } catch (error) {
        if (error instanceof DatasetNotPreparedError) throw new CliError(error.message);
        if (error instanceof DatasetError) throw new CliError(`${id}: ${error.message}`);
        throw error;
      }
    });
}
