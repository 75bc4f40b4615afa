/**
 * What every gradient helper of the lab runs once its tfjs backend is up, wherever it lives (the
 * page's sandbox, the bench worker, the CLI's helper threads): the runtime's helper loop
 * (packages/runtime/src/data-parallel), with the classes a learner's model may name and the seed
 * its dropout masks draw from.
 */
import { runGradientHelper, type bufferInbox } from '@cv-lab/runtime/data-parallel';
import { registerAugmentationLayers } from '../augment/layers';
import { seedThreadRandom } from '../shared/seed';
import type { TF } from '../shared/tf';

export function serveLabGradientHelper(
  tf: TF,
  inbox: ReturnType<typeof bufferInbox>,
  sayReady: () => void,
  memoryLimitBytes?: number,
): Promise<void> {
  // A learner's model may contain our augmentation layers: their classes must be known to rebuild it.
  registerAugmentationLayers(tf);
  return runGradientHelper(tf, inbox, sayReady, seedThreadRandom, memoryLimitBytes);
}
