/**
 * The image import's worker side: decodes every picture with `createImageBitmap` and an
 * OffscreenCanvas (off the page's thread), fits it to the chosen size with the core's pure
 * `fitImage` (the CLI's import uses the same), splits train/test per class and builds the dataset
 * files with `buildDatasetFiles`. Nothing is saved here: the page shows the preview, then saves.
 */
import { unzipSync } from 'fflate';
import {
  DEFAULT_MAX_MEGAPIXELS,
  MAX_IMAGE_FILE_BYTES,
  MAX_PAGE_ZIP_BYTES,
  MAX_ZIP_ENTRIES,
  readImageSize,
  sniffImageFormat,
} from '../../core/datasets/images/header';
import { stripControlCharacters } from '../../core/text/control-characters';
import { errorMessage } from '../../core/shared/errors';
import { buildDatasetFiles, type DatasetFile } from '../../core/datasets/build';
import { gatherSplit } from '../../core/datasets/images/assemble';
import { planClassFolders } from '../../core/datasets/images/class-folders';
import { fitImage } from '../../core/datasets/images/fit';
import { stratifiedSplit } from '../../core/datasets/images/stratified-split';
import type { DatasetManifest } from '../../core/datasets/manifest';
import {
  HUGE_IMAGE_PIXELS,
  HUGE_IMAGE_SIDE,
  countPerClass,
  imagesPerShard,
  reviewPlan,
  type ClassCount,
  type ImportSettings,
} from './image-import-plan';

export type ImportSource =
  { kind: 'files'; files: { path: string; file: Blob }[] } | { kind: 'zip'; file: Blob; name: string };

export interface ImportProgress {
  phase: 'reading' | 'decoding' | 'building';
  done: number;
  total: number;
}

export interface ImportPreview {
  manifest: DatasetManifest;
  files: DatasetFile[];
  counts: ClassCount[];
  /** Up to `samplesPerClass` fitted images per class (HWC bytes of the manifest's shape). */
  samples: { label: number; pixels: Uint8Array }[];
  warnings: string[];
}

export type ImportResult =
  { ok: true; preview: ImportPreview } | { ok: false; errors: string[]; warnings: string[] };

const samplesPerClass = 6;

/**
 * The zip's pictures, bounded before anything inflates: every entry by the size its header declares
 * (`MAX_IMAGE_FILE_BYTES`), all of them together by `MAX_PAGE_ZIP_BYTES`, their number by
 * `MAX_ZIP_ENTRIES`. An entry whose data inflates past its declared size stops fflate at that size
 * (it inflates into a buffer of exactly that size), so a lying header fails instead of filling memory.
 * Entries with `..` or an absolute path are left out.
 */
function fromZip(
  bytes: Uint8Array,
  name: string,
): { files: { path: string; file: Blob }[]; warnings: string[] } {
  const warnings: string[] = [];
  let total = 0;
  let count = 0;
  let tooLarge: string | null = null;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter(entry) {
        if (entry.name.endsWith('/')) return false;
        if (entry.name.startsWith('/') || entry.name.split(/[\\/]/).includes('..')) {
          warnings.push(`${safeName(entry.name)} was left out: its path leaves the archive's folder.`);
          return false;
        }
        count += 1;
        if (entry.originalSize > MAX_IMAGE_FILE_BYTES) {
          warnings.push(
            `${safeName(entry.name)} was left out: it inflates to ${megabytes(entry.originalSize)}, over the ${megabytes(MAX_IMAGE_FILE_BYTES)} one picture may take.`,
          );
          return false;
        }
        total += entry.originalSize;
        if (count > MAX_ZIP_ENTRIES || total > MAX_PAGE_ZIP_BYTES) {
          tooLarge ??=
            count > MAX_ZIP_ENTRIES
              ? `${name} holds more than ${MAX_ZIP_ENTRIES.toLocaleString('en-US')} files`
              : `${name} inflates to more than ${megabytes(MAX_PAGE_ZIP_BYTES)}, the most the page imports at once; import it with \`cv-lab datasets import\``;
          return false;
        }
        return true;
      },
    });
  } catch (error) {
    throw new Error(
      `The zip cannot be read (${errorMessage(error)}): it is damaged, or an entry holds more than its header declares.`,
    );
  }
  if (tooLarge) throw new Error(`${tooLarge}.`);
  const files = Object.entries(entries).map(([path, data]) => ({
    path,
    file: new Blob([data as Uint8Array<ArrayBuffer>]),
  }));
  return { files, warnings };
}

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024).toLocaleString('en-US')} MB`;
const safeName = (name: string) => stripControlCharacters(name).slice(0, 200);

/**
 * Refuses, from the header alone, a file that is no picture or one too large to decode: a
 * 100000×100000 PNG of a few kilobytes would otherwise allocate 40 GB in `createImageBitmap`.
 */
async function checkHeader(file: Blob): Promise<void> {
  const head = new Uint8Array(await file.slice(0, 64 * 1024).arrayBuffer());
  const format = sniffImageFormat(head);
  if (!format) throw new Error('not a PNG, JPEG or WebP file');
  const size = readImageSize(head, format);
  if (!size || size.width * size.height > DEFAULT_MAX_MEGAPIXELS * 1e6) {
    throw new Error('too many pixels, or no readable size, in its header');
  }
}

async function decodePixels(
  file: Blob,
): Promise<{ data: Uint8ClampedArray; width: number; height: number; shrunk: boolean }> {
  await checkHeader(file);
  let bitmap = await createImageBitmap(file);
  let shrunk = false;
  if (bitmap.width * bitmap.height > HUGE_IMAGE_PIXELS) {
    const scale = HUGE_IMAGE_SIDE / Math.max(bitmap.width, bitmap.height);
    const resized = await createImageBitmap(bitmap, {
      resizeWidth: Math.max(1, Math.round(bitmap.width * scale)),
      resizeHeight: Math.max(1, Math.round(bitmap.height * scale)),
      resizeQuality: 'high',
    });
    bitmap.close();
    bitmap = resized;
    shrunk = true;
  }
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('no 2D canvas in this worker');
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { data: context.getImageData(0, 0, width, height).data, width, height, shrunk };
}

export async function prepareImport(
  source: ImportSource,
  settings: ImportSettings,
  onProgress: (progress: ImportProgress) => void,
): Promise<ImportResult> {
  onProgress({ phase: 'reading', done: 0, total: 1 });
  let files: { path: string; file: Blob }[];
  const zipWarnings: string[] = [];
  try {
    if (source.kind === 'zip') {
      const opened = fromZip(new Uint8Array(await source.file.arrayBuffer()), safeName(source.name));
      files = opened.files;
      zipWarnings.push(...opened.warnings);
    } else {
      files = source.files;
    }
  } catch (error) {
    return { ok: false, errors: [errorMessage(error)], warnings: [] };
  }
  const byPath = new Map(files.map((f) => [f.path, f.file]));
  const review = reviewPlan(planClassFolders(files.map((f) => f.path)));
  if (review.errors.length > 0) {
    return { ok: false, errors: review.errors, warnings: [...zipWarnings, ...review.warnings] };
  }

  const warnings = [...zipWarnings, ...review.warnings];
  const shape = { height: settings.height, width: settings.width, channels: settings.channels };
  const total = review.classes.reduce((sum, c) => sum + c.files.length, 0);
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  const unreadable: string[] = [];
  let shrunk = 0;
  let done = 0;
  for (const [label, folder] of review.classes.entries()) {
    for (const path of folder.files) {
      try {
        const decoded = await decodePixels(byPath.get(path)!);
        if (decoded.shrunk) shrunk++;
        images.push(fitImage({ ...decoded, channels: 4 }, shape));
        labels.push(label);
      } catch {
        unreadable.push(path);
      }
      done++;
      if (done % 16 === 0 || done === total) onProgress({ phase: 'decoding', done, total });
    }
  }
  if (unreadable.length > 0) {
    const shown =
      unreadable.slice(0, 3).join(', ') + (unreadable.length > 3 ? ` and ${unreadable.length - 3} more` : '');
    warnings.push(
      `${unreadable.length} image${unreadable.length > 1 ? 's' : ''} could not be decoded and ${unreadable.length > 1 ? 'were' : 'was'} skipped: ${shown}.`,
    );
  }
  if (shrunk > 0)
    warnings.push(`${shrunk} very large image${shrunk > 1 ? 's were' : ' was'} shrunk while decoding.`);

  // Classes left with no readable image drop out; labels are renumbered in the same order.
  const present = review.classes.map((_, label) => labels.includes(label));
  const classNames = review.classes.filter((_, label) => present[label]).map((c) => c.name);
  const lost = review.classes.filter((_, label) => !present[label]).map((c) => c.name);
  if (lost.length > 0) warnings.push(`No readable image in ${lost.join(', ')}: left out.`);
  if (classNames.length < 2) {
    return {
      ok: false,
      errors: [
        `Only ${classNames.length} class${classNames.length === 1 ? '' : 'es'} with readable images: a classifier needs at least two.`,
      ],
      warnings,
    };
  }
  const renumber = new Map<number, number>();
  review.classes.forEach((_, label) => present[label] && renumber.set(label, renumber.size));
  const finalLabels = Uint8Array.from(labels, (label) => renumber.get(label)!);

  onProgress({ phase: 'building', done: 0, total: 1 });
  const split = stratifiedSplit(finalLabels, settings.testFraction, settings.seed);
  const perImage = shape.height * shape.width * shape.channels;
  const train = gatherSplit(images, finalLabels, split.train, perImage);
  const test = gatherSplit(images, finalLabels, split.test, perImage);
  const counts = countPerClass(classNames, train.labels, test.labels);
  const single = counts.filter((c) => c.train + c.test === 1).map((c) => c.name);
  if (single.length > 0)
    warnings.push(`Only one image in ${single.join(', ')}: it went to the training split.`);

  const built = await buildDatasetFiles(
    {
      id: settings.id,
      title: settings.title || settings.id,
      license: 'the learner’s own images',
      source:
        source.kind === 'zip'
          ? `imported in the browser from ${source.name}`
          : 'imported in the browser from a folder',
      classNames,
      imageShape: [shape.height, shape.width, shape.channels],
    },
    { train, test },
    { imagesPerShard: imagesPerShard(perImage) },
  );
  const samples: ImportPreview['samples'] = [];
  const taken = new Map<number, number>();
  finalLabels.forEach((label, index) => {
    if ((taken.get(label) ?? 0) >= samplesPerClass) return;
    taken.set(label, (taken.get(label) ?? 0) + 1);
    samples.push({ label, pixels: images[index] });
  });
  onProgress({ phase: 'building', done: 1, total: 1 });
  return { ok: true, preview: { manifest: built.manifest, files: built.files, counts, samples, warnings } };
}

/** The worker's API, exposed through comlink. */
export interface ImageImportApi {
  prepare(
    source: ImportSource,
    settings: ImportSettings,
    onProgress: (progress: ImportProgress) => void,
  ): Promise<ImportResult>;
}
