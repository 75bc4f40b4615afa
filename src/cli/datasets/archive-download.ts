/**
 * The original archives of the downloadable datasets: found in `--from <folder>`, in the download
 * cache, or downloaded (streamed to disk, hashed on the way, never held in memory whole), then
 * checked against their SHA-256.
 *
 * Trust on first use: where no SHA-256 has been published for an archive (the Microsoft cats and
 * dogs zip), the first download's SHA-256 is recorded in the prepared dataset's manifest (`source`)
 * and logged; later preparations of that dataset compare against the recorded value.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CliError } from '../cli-error';
import { errorMessageWithCause } from '../../core/shared/errors';
import { formatSize, progressLog } from './download';

export interface ArchiveSpec {
  /** The file name, also its name in the cache and in a `--from` folder. */
  file: string;
  url: string;
  /** SHA-256 of the archive where one is published; absent means trust on first use. */
  sha256?: string;
  /** Where the hash comes from, for messages. */
  hashSource?: string;
  /** The class folders lie under this folder of the archive (`train/`, `validation/` of one zip). */
  folder?: string;
}

export interface FetchArchiveOptions {
  /** The dataset being prepared (for messages). */
  datasetId: string;
  /** A folder holding the archive, downloaded by hand: the only place looked at when given. */
  from?: string;
  /** A base URL to download from instead of the canonical one (tests, mirrors). */
  url?: string;
  /** Where downloads are kept (default: `$CV_LAB_CACHE`, else ~/.cache/cv-lab/downloads). */
  cacheDir?: string;
  /** SHA-256s recorded by an earlier preparation (trust on first use), by file name. */
  recorded?: ReadonlyMap<string, string>;
  log: (line: string) => void;
}

export interface FetchedArchive {
  file: string;
  /** Path of the verified archive on disk. */
  path: string;
  sha256: string;
  /** The URL or folder it came from. */
  origin: string;
  /** True when no published or recorded hash existed and this one was recorded now. */
  trustedOnFirstUse: boolean;
}

export function defaultCacheDir(): string {
  const override = process.env.CV_LAB_CACHE;
  if (override) return path.resolve(override);
  const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(base, 'cv-lab', 'downloads');
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Streams `url` into `destination`, hashing as it goes; logs progress every tenth. A `destination`
 * left by an earlier, interrupted download is resumed where it stopped (an HTTP range request;
 * a server that answers with the whole file starts it over), and the hash covers the whole file.
 * Throws on an HTTP error or a connection that closes early: the bytes that did arrive stay in
 * `destination` for the next attempt to resume.
 */
export async function downloadToFile(
  url: string,
  destination: string,
  log: (line: string) => void,
): Promise<{ sha256: string; bytes: number; resumedAt: number }> {
  const hash = createHash('sha256');
  const already = existsSync(destination) ? (await stat(destination)).size : 0;
  const response = await fetch(url, already > 0 ? { headers: { Range: `bytes=${already}-` } } : undefined);
  const resumes = already > 0 && response.status === 206 && rangeStartsAt(response, already);
  if (!response.ok || (response.status === 206 && !resumes)) {
    await response.body?.cancel();
    if (response.status === 416 || response.status === 206) {
      // The range does not fit what the server has now: start over.
      await rm(destination, { force: true });
      return downloadToFile(url, destination, log);
    }
    throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  }
  let loaded = 0;
  if (resumes) {
    for await (const chunk of createReadStream(destination)) hash.update(chunk as Buffer);
    loaded = already;
  }
  const header = Number(response.headers.get('content-length'));
  const total = Number.isFinite(header) && header > 0 ? header + loaded : undefined;
  log(
    resumes
      ? `resuming ${url} at ${formatSize(already)}${total ? ` of ${formatSize(total)}` : ''}`
      : `downloading ${url}${total ? ` (${formatSize(total)})` : ''}`,
  );
  const progress = progressLog(total, log);
  const handle = await open(destination, resumes ? 'a' : 'w');
  try {
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        await handle.write(chunk);
        loaded += chunk.length;
        progress(loaded);
      }
    }
    if (total !== undefined && loaded !== total) {
      throw new Error(`the connection closed after ${loaded} of ${total} bytes`);
    }
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), bytes: loaded, resumedAt: resumes ? already : 0 };
}

/** A 206 answer's `Content-Range: bytes START-END/TOTAL` starts where the partial file ends. */
function rangeStartsAt(response: Response, start: number): boolean {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
  return match !== null && Number(match[1]) === start;
}

export async function fetchArchive(spec: ArchiveSpec, options: FetchArchiveOptions): Promise<FetchedArchive> {
  const { log } = options;
  const recorded = options.recorded?.get(spec.file);
  const expected = spec.sha256 ?? recorded;
  const expectation = spec.sha256
    ? `its published SHA-256 ${spec.sha256}${spec.hashSource ? ` (${spec.hashSource})` : ''}`
    : `the SHA-256 ${recorded} recorded when ${options.datasetId} was first prepared`;
  const howToFix =
    `download ${spec.url} by hand into a folder and run ` +
    `\`npx cv-lab datasets prepare ${options.datasetId} --from <folder>\``;

  const accept = (file: string, sha256: string, origin: string): FetchedArchive => {
    if (!expected) {
      log(
        `${spec.file}: no published SHA-256; recorded ${sha256} on first use (trust on first use): ` +
          `later preparations of ${options.datasetId} compare against it`,
      );
    }
    return { file: spec.file, path: file, sha256, origin, trustedOnFirstUse: !expected };
  };

  if (options.from) {
    const file = path.join(path.resolve(options.from), spec.file);
    if (!existsSync(file))
      throw new CliError(`--from ${path.resolve(options.from)}: ${spec.file} missing; ${howToFix}`);
    const sha256 = await sha256OfFile(file);
    if (expected && sha256 !== expected) {
      throw new CliError(
        `${spec.file} in ${path.dirname(file)} does not match ${expectation}: its SHA-256 is ${sha256}; the file is corrupt, truncated or not the original`,
      );
    }
    return accept(file, sha256, path.dirname(file));
  }

  const cacheDir = options.cacheDir ?? defaultCacheDir();
  await mkdir(cacheDir, { recursive: true });
  const cached = path.join(cacheDir, spec.file);
  const url = options.url
    ? new URL(spec.file, options.url.endsWith('/') ? options.url : `${options.url}/`).href
    : spec.url;
  if (existsSync(cached)) {
    const sha256 = await sha256OfFile(cached);
    if (!expected || sha256 === expected) {
      log(`using the downloaded ${spec.file} in ${cacheDir}`);
      return accept(cached, sha256, url);
    }
    log(`the cached ${spec.file} does not match ${expectation}; downloading it again`);
    await rm(cached, { force: true });
  }

  const partial = `${cached}.part`;
  let downloaded;
  try {
    downloaded = await downloadToFile(url, partial, log);
  } catch (error) {
    const kept = existsSync(partial) ? (await stat(partial)).size : 0;
    if (kept === 0) await rm(partial, { force: true });
    const resume = kept
      ? `; ${formatSize(kept)} arrived and are kept in ${cacheDir}: run the same command again to resume, or ${howToFix}`
      : `; ${howToFix}`;
    throw new CliError(`could not download ${url} (${errorMessageWithCause(error)})${resume}`);
  }
  if (expected && downloaded.sha256 !== expected) {
    await rm(partial, { force: true });
    throw new CliError(
      `${spec.file} from ${url} does not match ${expectation}: its SHA-256 is ${downloaded.sha256} ` +
        `(${downloaded.bytes} bytes); the download is corrupt, truncated or not the original; try again or ${howToFix}`,
    );
  }
  await rename(partial, cached);
  return accept(cached, downloaded.sha256, url);
}

/** `file (sha256 HEX)` for each archive: what a manifest's `source` records. */
export function describeArchives(archives: FetchedArchive[]): string {
  return archives
    .map((a) => `${a.file} (sha256 ${a.sha256}${a.trustedOnFirstUse ? ', recorded on first use' : ''})`)
    .join('; ');
}

/** The hashes `describeArchives` wrote into a manifest's source, by file name. */
export function recordedHashes(source: string | undefined): Map<string, string> {
  const found = new Map<string, string>();
  if (!source) return found;
  for (const match of source.matchAll(/([A-Za-z0-9._-]+) \(sha256 ([0-9a-f]{64})/g))
    found.set(match[1], match[2]);
  return found;
}
