/**
 * The datasets that must be downloaded before they can be used (the course's photo sets), as the
 * page and the CLI both tell them: what each downloads, how big, and the command that does it.
 * The CLI's preparers (src/cli/datasets/image-archive-sets.ts) take the sizes they print from here.
 *
 * Why the CLI downloads and not the page: the archives are zips of hundreds of megabytes of PNG and
 * JPEG files that must be decoded, resized and re-packed into the dataset format, and Google's
 * download bucket is not guaranteed to answer a page's cross-origin request. The CLI downloads them
 * with progress, checks their SHA-256, keeps them in its cache and prepares the dataset; the page
 * then serves it and caches it for offline use like every prepared dataset (docs/offline.md).
 */

export interface DownloadArchive {
  file: string;
  /**
   * Size in bytes, as TensorFlow Datasets' url_checksums and the download pages list it: shown
   * before a download; what the download checks is the SHA-256 (and the server's Content-Length).
   */
  bytes: number;
}

export interface DownloadableDataset {
  id: string;
  /** The archives `cv-lab datasets prepare <id>` downloads (once; later runs read its cache). */
  archives: DownloadArchive[];
}

export const DOWNLOADABLE_DATASETS: readonly DownloadableDataset[] = [
  {
    id: 'rock-paper-scissors',
    archives: [
      { file: 'rps.zip', bytes: 200_682_221 },
      { file: 'rps-test-set.zip', bytes: 29_016_504 },
    ],
  },
  {
    id: 'horses-or-humans',
    archives: [
      { file: 'horse-or-human.zip', bytes: 149_574_867 },
      { file: 'validation-horse-or-human.zip', bytes: 11_480_187 },
    ],
  },
  {
    id: 'cats-vs-dogs-filtered',
    archives: [{ file: 'cats_and_dogs_filtered.zip', bytes: 68_606_236 }],
  },
  {
    id: 'cats-vs-dogs',
    archives: [{ file: 'kagglecatsanddogs_5340.zip', bytes: 824_887_076 }],
  },
];

export function findDownloadable(id: string): DownloadableDataset | undefined {
  return DOWNLOADABLE_DATASETS.find((dataset) => dataset.id === id);
}

/** Total bytes of a dataset's archives. */
export function downloadBytes(dataset: DownloadableDataset): number {
  return dataset.archives.reduce((sum, archive) => sum + archive.bytes, 0);
}

/** `230 MB`, `69 MB`: a download's size in decimal megabytes, as download pages state them. */
export function formatDownloadSize(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}

export function prepareCommand(id: string): string {
  return `npx cv-lab datasets prepare ${id}`;
}

/** `downloads 161 MB once` for a dataset that is downloaded, else undefined. */
export function downloadNote(id: string): string | undefined {
  const dataset = findDownloadable(id);
  return dataset ? `downloads ${formatDownloadSize(downloadBytes(dataset))} once` : undefined;
}

/** What to run, and what it downloads: one line for a message. */
export function prepareInstruction(id: string): string {
  const note = downloadNote(id);
  return `run \`${prepareCommand(id)}\`${note ? ` (${note})` : ''}`;
}
