/**
 * The pure half of the page's image import: what to say about a folder before decoding it, the
 * dataset id and shard size rules, and the per-class counts after the split. The decoding itself
 * (createImageBitmap, OffscreenCanvas) is in `image-import-host.ts`.
 */
import type { ClassFolderPlan } from '../../core/datasets/images/class-folders';

export interface ImportSettings {
  id: string;
  title: string;
  height: number;
  width: number;
  channels: 1 | 3;
  /** Share of each class that goes to the test split, in [0, 1). */
  testFraction: number;
  seed: number;
}

/** Images above this many pixels are shrunk by the decoder before their pixels are read. */
export const HUGE_IMAGE_PIXELS = 4096 * 4096;
/** The side huge images are shrunk to (the longer one). */
export const HUGE_IMAGE_SIDE = 2048;

const idPattern = /^[a-z0-9][a-z0-9-]*$/;

/** A dataset id from a folder or zip name: `My Parts (2024).zip` → `my-parts-2024`. */
export function suggestDatasetId(name: string): string {
  const id = name
    .replace(/\.zip$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return id || 'my-images';
}

/** A message for a bad id or settings, or null when they are fine. */
export function checkSettings(settings: ImportSettings, takenIds: readonly string[]): string | null {
  if (!idPattern.test(settings.id))
    return 'The dataset id may hold lower-case letters, digits and dashes only.';
  if (takenIds.includes(settings.id))
    return `The server already has a dataset called ${settings.id}: choose another id.`;
  for (const [name, side] of [
    ['height', settings.height],
    ['width', settings.width],
  ] as const) {
    if (!Number.isInteger(side) || side < 8 || side > 512)
      return `The image ${name} must be a whole number from 8 to 512.`;
  }
  if (!(settings.testFraction > 0 && settings.testFraction < 1)) {
    return 'The test fraction must be above 0 and below 1 (for example 0.2).';
  }
  return null;
}

export interface PlanReview {
  /** Reasons the import cannot go on; empty when it can. */
  errors: string[];
  /** Things skipped or worth knowing; the import goes on. */
  warnings: string[];
  /** Classes with at least one image, in label order. */
  classes: { name: string; files: string[] }[];
}

function listSome(paths: string[], max = 3): string {
  const shown = paths.slice(0, max).join(', ');
  return paths.length > max ? `${shown} and ${paths.length - max} more` : shown;
}

/** Reviews a class-folder plan before any decoding: empty and single classes, stray files. */
export function reviewPlan(plan: ClassFolderPlan): PlanReview {
  const errors: string[] = [];
  const warnings: string[] = [];
  const classes = plan.classes.filter((c) => c.files.length > 0);
  const empty = plan.classes.filter((c) => c.files.length === 0).map((c) => c.name);
  if (empty.length > 0) {
    warnings.push(
      `Empty class folder${empty.length > 1 ? 's' : ''} left out (no images): ${empty.join(', ')}.`,
    );
  }
  if (plan.nonImages.length > 0) {
    warnings.push(
      `${plan.nonImages.length} file${plan.nonImages.length > 1 ? 's are' : ' is'} not PNG, JPEG or WebP and ${plan.nonImages.length > 1 ? 'were' : 'was'} skipped: ${listSome(plan.nonImages)}.`,
    );
  }
  if (plan.unclassified.length > 0) {
    warnings.push(
      `${plan.unclassified.length} image${plan.unclassified.length > 1 ? 's lie' : ' lies'} outside any class folder and ${plan.unclassified.length > 1 ? 'were' : 'was'} skipped: ${listSome(plan.unclassified)}.`,
    );
  }
  if (classes.length === 0) {
    errors.push(
      'No images found. Expected one sub-folder per class with PNG, JPEG or WebP images inside (cats/1.jpg, dogs/2.jpg, ...).',
    );
  } else if (classes.length === 1) {
    errors.push(
      `Only one class (${classes[0].name}) has images: a classifier needs at least two. Add a sub-folder per class.`,
    );
  }
  if (classes.length > 256) errors.push(`${classes.length} classes: the dataset format holds at most 256.`);
  return { errors, warnings, classes };
}

/** Images per shard so that a shard holds about 4 MB of raw pixels (a few MB gzipped). */
export function imagesPerShard(imageBytes: number): number {
  return Math.max(1, Math.floor((4 * 1024 * 1024) / imageBytes));
}

export interface ClassCount {
  name: string;
  train: number;
  test: number;
}

export function countPerClass(
  classNames: readonly string[],
  trainLabels: ArrayLike<number>,
  testLabels: ArrayLike<number>,
): ClassCount[] {
  const counts = classNames.map((name) => ({ name, train: 0, test: 0 }));
  for (let i = 0; i < trainLabels.length; i++) counts[trainLabels[i]].train++;
  for (let i = 0; i < testLabels.length; i++) counts[testLabels[i]].test++;
  return counts;
}
