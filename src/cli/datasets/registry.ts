/**
 * Every dataset `cv-lab datasets prepare <id>` knows, besides fashion-mnist (which has its own
 * command path: Debian's package, `--from`, its known hashes).
 */
import { GENERATED_PREPARERS } from './generated-sets';
import { IMAGE_ARCHIVE_PREPARERS } from './image-archive-sets';
import { MNIST_PREPARER } from './mnist';
import type { DatasetPreparer } from './preparer';

export const DATASET_PREPARERS: readonly DatasetPreparer[] = [
  ...GENERATED_PREPARERS,
  MNIST_PREPARER,
  ...IMAGE_ARCHIVE_PREPARERS,
];

export function findPreparer(id: string): DatasetPreparer | undefined {
  return DATASET_PREPARERS.find((preparer) => preparer.id === id);
}
