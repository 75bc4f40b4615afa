/**
 * Reads the images of a class-folder layout (a folder or a zip, see `planClassFolders`), decoding
 * and fitting each to the dataset's image shape as it goes, so only small fitted images are kept.
 * Shared by `cv-lab datasets import` and the preparers of the downloadable image sets.
 */
import { planClassFolders } from '../../core/datasets/images/class-folders';
import type { ClassFolderPlan } from '../../core/datasets/images/class-folders';
import { fitImage } from '../../core/datasets/images/fit';
import type { ImageShape } from '../../core/datasets/images/fit';
import { stripControlCharacters } from '../../core/text/control-characters';
import { CliError } from '../cli-error';
import { decodeImage, ImageDecodeError } from './image-decode';
import type { ImageSource } from './image-source';
import { errorMessage } from '../../core/shared/errors';

export interface CollectOptions {
  shape: ImageShape;
  /** The class names to expect (a test archive must have the train archive's classes). */
  classNames?: string[];
  maxMegapixels?: number;
  /** Keep at most this many images per class (the first ones in path order). */
  limitPerClass?: number;
  /** A progress line every this many images (default 500). */
  progressEvery?: number;
  /** A reason to skip a file before decoding it, or undefined to decode it. */
  precheck?: (file: string, source: ImageSource) => Promise<string | undefined>;
  log: (line: string) => void;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface CollectedImages {
  classNames: string[];
  images: Uint8Array[];
  labels: number[];
  perClass: number[];
  plan: ClassFolderPlan;
  /** Images that could not be used, each with why. */
  skipped: SkippedFile[];
}

const count = (n: number) => n.toLocaleString('en-US');

/** `a, b, c and 7 more`: a list for a message, cut at `max`, each item a clean line of text. */
export function listSome(items: string[], max = 10): string {
  const shown = items
    .slice(0, max)
    .map((item) => stripControlCharacters(item))
    .join(', ');
  return items.length > max ? `${shown} and ${count(items.length - max)} more` : shown;
}

export async function collectClassImages(
  source: ImageSource,
  options: CollectOptions,
): Promise<CollectedImages> {
  const plan = planClassFolders(
    source.files.map((f) => f.path),
    source.folders,
  );
  const where = stripControlCharacters(source.description);
  if (source.links.length > 0) {
    options.log(
      `skipping ${count(source.links.length)} symbolic links (links are not followed): ${listSome(source.links)}`,
    );
  }
  if (plan.classes.length === 0) {
    throw new CliError(
      `${where}: no class folders found; put the images in one sub-folder per class (for example cats/1.jpg, dogs/1.jpg)`,
    );
  }
  if (plan.classes.length === 1) {
    throw new CliError(
      `${where}: only one class folder ('${stripControlCharacters(plan.classes[0].name)}'); a classifier needs at least two, one sub-folder per class`,
    );
  }
  const empty = plan.classes.filter((c) => c.files.length === 0).map((c) => stripControlCharacters(c.name));
  if (empty.length > 0) {
    throw new CliError(
      `${where}: ${empty.length === 1 ? 'class folder' : 'class folders'} ${empty.map((n) => `'${n}'`).join(', ')} ` +
        `${empty.length === 1 ? 'holds' : 'hold'} no PNG, JPEG or WebP image; add images or remove ${empty.length === 1 ? 'it' : 'them'}`,
    );
  }
  // Class names are printed and stored in the manifest: terminal escapes in a folder name go.
  const found = cleanClassNames(plan, where);
  const classNames = options.classNames ?? found;
  if (options.classNames) {
    if (found.join('\n') !== classNames.join('\n')) {
      throw new CliError(
        `${where}: expected the classes ${classNames.join(', ')}, found ${found.join(', ')}`,
      );
    }
  }
  if (plan.nonImages.length > 0) {
    options.log(`skipping ${count(plan.nonImages.length)} non-image files: ${listSome(plan.nonImages)}`);
  }
  if (plan.unclassified.length > 0) {
    options.log(
      `skipping ${count(plan.unclassified.length)} images outside any class folder: ${listSome(plan.unclassified)}`,
    );
  }

  const total = plan.classes.reduce(
    (sum, c) => sum + Math.min(c.files.length, options.limitPerClass ?? Infinity),
    0,
  );
  const every = options.progressEvery ?? 500;
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  const perClass = new Array<number>(classNames.length).fill(0);
  const skipped: SkippedFile[] = [];
  let done = 0;
  for (const [label, folder] of plan.classes.entries()) {
    for (const file of folder.files) {
      if (options.limitPerClass !== undefined && perClass[label] >= options.limitPerClass) break;
      const reason = await readOne(source, file, options, (pixels) => {
        images.push(pixels);
        labels.push(label);
        perClass[label]++;
      });
      if (reason) skipped.push({ path: file, reason });
      done++;
      if (done % every === 0) options.log(`decoded ${count(done)} of ${count(total)} images`);
    }
  }
  if (skipped.length > 0) {
    options.log(
      `skipped ${count(skipped.length)} unreadable images: ${listSome(skipped.map((s) => `${s.path} (${s.reason})`))}`,
    );
  }
  const unusable = classNames.filter((_, label) => perClass[label] === 0);
  if (unusable.length > 0) {
    throw new CliError(
      `${where}: no readable image in ${unusable.map((n) => `'${n}'`).join(', ')}: every image there was skipped`,
    );
  }
  return { classNames, images, labels, perClass, plan, skipped };
}

/**
 * The class folders' names without control characters; refuses names that are empty or that
 * collide once cleaned (`cat` and `cat` + an escape sequence would be one class twice).
 */
function cleanClassNames(plan: ClassFolderPlan, where: string): string[] {
  const names = plan.classes.map((c) => stripControlCharacters(c.name));
  const seen = new Set<string>();
  for (const name of names) {
    if (!name) {
      throw new CliError(`${where}: a class folder's name is made only of control characters; rename it`);
    }
    if (seen.has(name)) {
      throw new CliError(
        `${where}: two class folders are both named '${name}' once control characters are removed; rename one`,
      );
    }
    seen.add(name);
  }
  return names;
}

/** Decodes and fits one file; returns why it was skipped, or undefined when `keep` got it. */
async function readOne(
  source: ImageSource,
  file: string,
  options: CollectOptions,
  keep: (pixels: Uint8Array) => void,
): Promise<string | undefined> {
  try {
    const early = await options.precheck?.(file, source);
    if (early) return early;
    const decoded = await decodeImage(await source.read(file), { maxMegapixels: options.maxMegapixels });
    keep(fitImage(decoded, options.shape));
    return undefined;
  } catch (error) {
    // A damaged or forged archive stops the whole import; one bad image is only skipped.
    if (error instanceof CliError) throw error;
    if (error instanceof ImageDecodeError) return error.reason;
    return `could not be read: ${errorMessage(error)}`;
  }
}
