/**
 * The hostile corpus (tests/fixtures/hostile/README.md), run through the real `cv-lab` command as
 * an attacker's victim would run it: a spawned process per command, its exit code, what it prints,
 * and, where a file could exhaust memory, the child's peak resident set size (asserted under 1 GB;
 * timings are never asserted). Every table row of the README is one `it` here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSet, embedPrivateTest } from '../../../src/core/exercises/set';
import type { Submission } from '../../../src/core/exercises/submission';
import { encodePng } from '../../fixtures/datasets-more/images';
import {
  GiB,
  gzipZeros,
  interlacedPng,
  interlacedPngBomb,
  MiB,
  smallDataset,
  storedEntry,
  withShard,
  writeDataset,
  zerosEntry,
  zipArchive,
} from '../../fixtures/hostile/make-hostile';
import { tinyDataset, tinySubmission, useCpuBackend } from '../../fixtures/teams/tiny-team';
import { cvLab, repoRoot, type CliResult } from './run-cli';

const hostile = path.join(repoRoot, 'tests/fixtures/hostile');
const exercises = path.join(repoRoot, 'tests/fixtures/exercises');
const work = await mkdtemp(path.join(os.tmpdir(), 'cv-lab-hostile-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const ESC = '\u001b';
const ONE_GB = 1e9;
let runs = 0;
const fresh = (name: string) => path.join(work, `${name}-${runs++}`);
const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

/** `cv-lab <args>` in a child process that reports its peak RSS (tests/fixtures/hostile/peak-memory.mjs). */
async function measured(args: string[]): Promise<CliResult & { peakRss: number }> {
  const rssFile = fresh('rss');
  const result = await cvLab(args, {
    nodeArgs: ['--import', path.join(hostile, 'peak-memory.mjs')],
    env: { CV_LAB_PEAK_RSS_FILE: rssFile },
  });
  return { ...result, peakRss: Number(readFileSync(rssFile, 'utf8')) };
}

async function writeTree(root: string, files: Record<string, Uint8Array | string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
  }
}

const RED = encodePng(6, 6, [220, 30, 30]);
const BLUE = encodePng(6, 6, [30, 40, 210]);
/** Two classes of three good images each: the rest of a hostile import. */
const goodImages = (): Record<string, Uint8Array> => ({
  'red/1.png': RED,
  'red/2.png': RED,
  'red/3.png': RED,
  'blue/1.png': BLUE,
  'blue/2.png': BLUE,
  'blue/3.png': BLUE,
});
const importArgs = (input: string, out: string, ...more: string[]) => [
  'datasets',
  'import',
  input,
  '--id',
  'hostile',
  '--size',
  '4x4',
  '--out',
  out,
  ...more,
];

/**
 * 1 GiB of zeros as one gzip file of about 1 MB: the bomb every dataset case below hides. Its
 * manifests declare 2,000 images (1.6 MB), as a forger must: a shard stored larger than gzip could
 * take for what it declares is refused before it is read (see the "stored size" case).
 */
const BOMB_IMAGES = 2000;
const BOMB_MESSAGE =
  'corrupt: decompresses to more than 1,568,000 bytes, the most it may hold (2000 × 784 by the manifest)';
let bomb: Uint8Array;
let submissionTemplate: Submission;

beforeAll(async () => {
  bomb = gzipZeros(1024);
  await useCpuBackend();
  const { dataset } = await tinyDataset(6);
  submissionTemplate = await tinySubmission(dataset);
});

describe('datasets: bounded inflation of shards', () => {
  it('gzip bomb shard whose SHA-256 matches its manifest: verify stops at the declared size', async () => {
    const root = fresh('datasets');
    await writeDataset(
      path.join(root, 'bomb'),
      await withShard(await smallDataset('bomb', BOMB_IMAGES), 'train-images-0.bin.gzip', bomb),
    );
    const result = await measured(['datasets', 'verify', 'bomb', '--root', root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`cv-lab: bomb: train-images-0.bin.gzip: ${BOMB_MESSAGE}\n`);
    expect(result.peakRss).toBeLessThan(ONE_GB);
  });

  it('a manifest declaring a shard larger than any loader holds is refused before reading', async () => {
    const root = fresh('datasets');
    const built = await smallDataset('wide');
    const manifest = structuredClone(built.manifest);
    manifest.imageShape = [4096, 4096, 3];
    await writeDataset(path.join(root, 'wide'), {
      manifest,
      files: [
        ...built.files.filter((f) => f.name !== 'manifest.json'),
        { name: 'manifest.json', bytes: new TextEncoder().encode(JSON.stringify(manifest)) },
      ],
    });
    const result = await cvLab(['datasets', 'verify', 'wide', '--root', root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'cv-lab: wide: train-images-0.bin.gzip: declares 503316480 bytes (10 × 50331648), ' +
        'more than the 67108864 a shard may hold\n',
    );
  });

  it('a manifest whose splits add up to more than a dataset may hold is refused before reading', async () => {
    const root = fresh('datasets');
    const built = await smallDataset('many');
    const manifest = structuredClone(built.manifest);
    const shard = manifest.splits.train.images[0];
    // 40 shards of 64 MiB each: every one within the shard ceiling, 2.5 GiB together.
    manifest.imageShape = [1024, 1024, 64];
    // A forged manifest of a dataset without a sample sheet (one would no longer fit these counts).
    delete manifest.samples;
    manifest.splits.train.images = Array.from({ length: 40 }, (_, i) => ({
      ...shard,
      file: `train-images-${i}.bin.gzip`,
      count: 1,
    }));
    manifest.splits.train.count = 40;
    manifest.splits.train.labels[0].count = 40;
    manifest.splits.test.count = 1;
    manifest.splits.test.images[0].count = 1;
    manifest.splits.test.labels[0].count = 1;
    await writeDataset(path.join(root, 'many'), {
      manifest,
      files: [{ name: 'manifest.json', bytes: new TextEncoder().encode(JSON.stringify(manifest)) }],
    });
    const result = await cvLab(['datasets', 'verify', 'many', '--root', root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^cv-lab: many: manifest\.json: declares \d+ bytes of train and test data, more than the 1073741824 a dataset may hold\n$/,
    );
  });

  it('a gzip bomb as the sample sheet, its SHA-256 in the manifest, is refused before it is read', async () => {
    const root = fresh('datasets');
    await writeDataset(
      path.join(root, 'sheet-bomb'),
      await withShard(await smallDataset('sheet-bomb'), 'train-samples.bin.gzip', bomb),
    );
    const result = await measured(['datasets', 'verify', 'sheet-bomb', '--root', root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `^cv-lab: sheet-bomb: train-samples\\.bin\\.gzip: declares ${bomb.length} stored bytes, more than gzip takes for the \\d+ bytes it holds\n$`,
      ),
    );
    expect(result.peakRss).toBeLessThan(ONE_GB);
  });

  it('a gzip bomb declared as 10 images (stored 1 MB for 7,840 bytes) is refused before it is read', async () => {
    const root = fresh('datasets');
    await writeDataset(
      path.join(root, 'small-bomb'),
      await withShard(await smallDataset('small-bomb'), 'train-images-0.bin.gzip', bomb),
    );
    const result = await cvLab(['datasets', 'verify', 'small-bomb', '--root', root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `cv-lab: small-bomb: train-images-0.bin.gzip: declares ${bomb.length} stored bytes, more than gzip ` +
        'takes for the 7840 bytes it holds\n',
    );
  });

  it('a manifest declaring a stored size gzip could never need is refused before reading', async () => {
    const root = fresh('datasets');
    const built = await smallDataset('padded');
    const manifest = structuredClone(built.manifest);
    manifest.splits.test.labels[0].bytes = 2 * GiB;
    await writeDataset(path.join(root, 'padded'), {
      manifest,
      files: [{ name: 'manifest.json', bytes: new TextEncoder().encode(JSON.stringify(manifest)) }],
    });
    const result = await cvLab(['datasets', 'verify', 'padded', '--root', root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `cv-lab: padded: test-labels-0.bin.gzip: declares ${2 * GiB} stored bytes, more than gzip takes for the 10 bytes it holds\n`,
    );
  });

  it('a shard file larger than its manifest entry is refused unread', async () => {
    const root = fresh('datasets');
    const built = await smallDataset('grown');
    await writeDataset(path.join(root, 'grown'), built);
    // A sparse 2 GiB file: reading it whole would fail or exhaust memory.
    await truncate(path.join(root, 'grown', 'test-labels-0.bin.gzip'), 2 * GiB);
    const result = await measured(['datasets', 'verify', 'grown', '--root', root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `cv-lab: grown: test-labels-0.bin.gzip: wrong size: ${2 * GiB} bytes, at most ` +
        `${built.manifest.splits.test.labels[0].bytes} expected\n`,
    );
    expect(result.peakRss).toBeLessThan(ONE_GB);
  });

  it('datasets list: a 1 GiB manifest is refused unread, a title with escapes is printed clean', async () => {
    const root = fresh('datasets');
    const built = await smallDataset('titled');
    const manifest = { ...structuredClone(built.manifest), title: '\u001b[2J\u001b]0;owned\u0007Parts\rx' };
    await writeDataset(path.join(root, 'titled'), {
      manifest,
      files: [
        ...built.files.filter((f) => f.name !== 'manifest.json'),
        { name: 'manifest.json', bytes: new TextEncoder().encode(JSON.stringify(manifest)) },
      ],
    });
    await mkdir(path.join(root, 'big'));
    await writeFile(path.join(root, 'big', 'manifest.json'), '');
    await truncate(path.join(root, 'big', 'manifest.json'), GiB);
    const result = await measured(['datasets', 'list', '--root', root]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `big\tnot usable: manifest.json: wrong size: ${GiB} bytes, at most 4194304 expected\n`,
    );
    expect(result.stdout).toContain('titled\t[2J]0;ownedParts x\t10 train');
    expect(result.stdout).not.toContain(ESC);
    expect(result.peakRss).toBeLessThan(ONE_GB);
  });

  it('idx original that is a gzip bomb (prepare fashion-mnist --from): stops at the idx ceiling', async () => {
    const from = fresh('originals');
    await writeTree(from, {
      'train-images-idx3-ubyte.gz': bomb,
      'train-labels-idx1-ubyte.gz': 'x',
      't10k-images-idx3-ubyte.gz': 'x',
      't10k-labels-idx1-ubyte.gz': 'x',
    });
    const result = await measured([
      'datasets',
      'prepare',
      'fashion-mnist',
      '--from',
      from,
      '--out',
      fresh('out'),
    ]);
    expect(result.code).toBe(2);
    expect(lastLine(result.stderr)).toBe(
      `cv-lab: train-images-idx3-ubyte.gz from ${from} is not an original: it decompresses to more than ` +
        '67,108,864 bytes, the most it may hold',
    );
    expect(result.peakRss).toBeLessThan(ONE_GB);
  });
});

describe('sets: bounded, decoded, and clean', () => {
  async function bombSet(): Promise<string> {
    const built = await withShard(
      await smallDataset('lead-private', BOMB_IMAGES),
      'test-images-0.bin.gzip',
      bomb,
    );
    const set = buildSet({
      title: 'Bomb',
      exercises: [{ id: 'quick-fashion' }],
      privateTest: embedPrivateTest(built.manifest, built.files),
    });
    const file = `${fresh('bomb')}.cvset.json`;
    await writeFile(file, JSON.stringify(set));
    return file;
  }

  it('gzip bomb as a private test: set validate stops at the declared size', async () => {
    const file = await bombSet();
    const result = await measured(['set', 'validate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`cv-lab: ${file}: set: privateTest test-images-0.bin.gzip: ${BOMB_MESSAGE}\n`);
    expect(result.peakRss).toBeLessThan(ONE_GB);
  });

  it('the same bomb reached by grade --set: the submission is an error row naming the shard', async () => {
    const set = await bombSet();
    const submission = `${fresh('sub')}.cvsub.json`;
    await writeFile(
      submission,
      JSON.stringify({
        ...submissionTemplate,
        exerciseId: 'quick-fashion',
        report: { ...submissionTemplate.report, exerciseId: 'quick-fashion' },
      }),
    );
    const result = await measured(['grade', '-q', '--exercises', exercises, '--set', set, submission]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`cv-lab: ${submission}: test-images-0.bin.gzip: ${BOMB_MESSAGE}\n`);
    expect(result.peakRss).toBeLessThan(ONE_GB);
  });

  it('a private test declaring 300 MB of test images (honest zero shards would gzip to kilobytes) is refused', async () => {
    const built = await smallDataset('lead-private');
    const manifest = structuredClone(built.manifest);
    const shard = manifest.splits.test.images[0];
    // 400,000 images of 784 bytes in shards of 80,000 (62.7 MB each, within the shard ceiling).
    manifest.splits.test.images = Array.from({ length: 5 }, (_, i) => ({
      ...shard,
      file: `test-images-${i}.bin.gzip`,
      count: 80_000,
    }));
    manifest.splits.test.count = 400_000;
    manifest.splits.test.labels[0].count = 400_000;
    const set = buildSet({
      title: 'Huge private test',
      exercises: [{ id: 'quick-fashion' }],
      privateTest: {
        manifest,
        files: [...manifest.splits.test.images, ...manifest.splits.test.labels].map((s) => ({
          name: s.file,
          base64: 'AAAA',
        })),
      },
    });
    const file = `${fresh('huge-private')}.cvset.json`;
    await writeFile(file, JSON.stringify(set));
    const result = await cvLab(['set', 'validate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `cv-lab: ${file}: set: privateTest declares 299.5 MB of test images, more than the 256.0 MB a private test may hold\n`,
    );
  });

  /** A valid set's JSON text, with `change` applied to its object. */
  function setText(change: (set: Record<string, unknown>) => void = () => {}): string {
    const set = buildSet({ title: 'Week 3', exercises: [{ id: 'quick-fashion' }] }) as Record<
      string,
      unknown
    >;
    change(set);
    return JSON.stringify(set);
  }
  const validate = async (name: string, content: string | Uint8Array) => {
    const file = path.join(work, name);
    await writeFile(file, content);
    return { file, result: await cvLab(['set', 'validate', file, '--exercises', exercises]) };
  };

  it('deep JSON (100,000 nested arrays) is refused by depth, not by a stack overflow', async () => {
    const deep = `{"format":"cv-lab-set","version":1,"notes":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const { file, result } = await validate('deep.cvset.json', deep);
    expect(result.code).toBe(2);
    const where = ['notes', ...new Array<number>(48).fill(0)].join('.');
    expect(result.stderr).toBe(`cv-lab: ${file}: set: ${where}: nested deeper than 48 levels\n`);
  });

  it('a huge string (a 1 MB title) is refused with its size', async () => {
    const { file, result } = await validate(
      'huge-title.cvset.json',
      setText((s) => (s.title = 'x'.repeat(MiB))),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `cv-lab: ${file}: set: title: a string of 1.0 MB, more than the 64.0 KB allowed\n`,
    );
  });

  it('a file of another format is named as such', async () => {
    const { file, result } = await validate(
      'wrong-format.cvset.json',
      setText((s) => (s.format = 'cv-lab-submission')),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `cv-lab: ${file}: set: format is 'cv-lab-submission', expected 'cv-lab-set'\n`,
    );
  });

  it('a newer version asks for an update; a version that is not a whole number is refused', async () => {
    const future = await validate(
      'future.cvset.json',
      setText((s) => (s.version = 99)),
    );
    expect(future.result.stderr).toBe(
      `cv-lab: ${future.file}: set: version 99 is newer than this CV Lab reads (1); update CV Lab to open it\n`,
    );
    const odd = await validate(
      'odd-version.cvset.json',
      setText((s) => (s.version = '1')),
    );
    expect(odd.result.code).toBe(2);
    expect(odd.result.stderr).toBe(`cv-lab: ${odd.file}: set: version must be a whole number, found "1"\n`);
  });

  it('UTF-8 with a byte-order mark is read', async () => {
    const { result } = await validate('bom.cvset.json', `\ufeff${setText()}`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Set: Week 3\n/);
  });

  it('UTF-16 (little-endian with a BOM, as PowerShell writes it, and big-endian without) is read', async () => {
    const text = setText();
    const le = await validate('utf16le.cvset.json', Buffer.from(`\ufeff${text}`, 'utf16le'));
    expect(le.result.code, le.result.stderr).toBe(0);
    const be = Buffer.from(text, 'utf16le').swap16();
    const big = await validate('utf16be.cvset.json', be);
    expect(big.result.code, big.result.stderr).toBe(0);
  });

  it('bytes that are not UTF-8 are refused, not replaced', async () => {
    const bytes = Buffer.concat([
      Buffer.from(setText().slice(0, -1)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('}'),
    ]);
    const { file, result } = await validate('latin.cvset.json', bytes);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `cv-lab: ${file}: set: not UTF-8 text (invalid bytes); save the file as UTF-8 and try again\n`,
    );
  });

  it('terminal escapes in a title and author are not printed', async () => {
    const { result } = await validate(
      'escapes.cvset.json',
      setText((s) => {
        s.title = '\u001b]0;owned\u0007\u001b[2JWeek\r 3';
        s.author = 'Eve\u001b[31m\u202e';
      }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(ESC);
    expect(result.stdout.split('\n')[0]).toBe('Set: ]0;owned[2JWeek  3 (by Eve[31m)');
  });

  it('a device or an oversized file is refused unread', async () => {
    const device = await cvLab(['set', 'validate', '/dev/zero']);
    expect(device.code).toBe(2);
    expect(device.stderr).toBe('cv-lab: /dev/zero: set: not a regular file\n');
    const big = fresh('big.cvset.json');
    await writeFile(big, '');
    await truncate(big, GiB);
    const result = await measured(['set', 'validate', big]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^cv-lab: .*: set: the file is 1024\.0 MB, larger than the \d+\.\d MB a set may be\n$/,
    );
    expect(result.peakRss).toBeLessThan(ONE_GB);
  });
});

describe('submissions: bounded and clean', () => {
  const submissionFile = async (name: string, content: string | Uint8Array) => {
    const file = path.join(work, name);
    await writeFile(file, content);
    return file;
  };
  const variant = (change: (s: Record<string, unknown>) => void) => {
    const copy = structuredClone(submissionTemplate) as unknown as Record<string, unknown>;
    change(copy);
    return JSON.stringify(copy);
  };

  it('deep JSON, a huge string, another format and UTF-16 each get their own line; nothing else stops', async () => {
    const files = {
      deep: await submissionFile('deep.cvsub.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
      huge: await submissionFile(
        'huge.cvsub.json',
        variant((s) => (s.code = 'x'.repeat(4 * MiB))),
      ),
      future: await submissionFile(
        'future.cvsub.json',
        variant((s) => (s.version = 2)),
      ),
      utf16: await submissionFile(
        'utf16.cvsub.json',
        Buffer.from(`\ufeff${JSON.stringify({ format: 'cv-lab-report', version: 1 })}`, 'utf16le'),
      ),
    };
    const result = await cvLab(['grade', '-q', '--exercises', exercises, ...Object.values(files)]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `cv-lab: ${files.deep}: submission: ${new Array<number>(49).fill(0).join('.')}: nested deeper than 48 levels`,
      `cv-lab: ${files.huge}: submission: code: a string of 4.0 MB, more than the 256.0 KB allowed`,
      `cv-lab: ${files.future}: submission: version 2 is newer than this CV Lab reads (1); update CV Lab to open it`,
      `cv-lab: ${files.utf16}: submission: format is 'cv-lab-report', expected 'cv-lab-submission'`,
    ]);
  });

  it('weights whose base64 is longer than their declared size are refused before decoding', async () => {
    const file = await submissionFile(
      'long-weights.cvsub.json',
      variant((s) => {
        const model = s.model as { weightDataBase64: string };
        model.weightDataBase64 += 'AAAA'.repeat(1_000_000);
        s.exerciseId = 'quick-fashion';
        (s.report as { exerciseId: string }).exerciseId = 'quick-fashion';
      }),
    );
    const result = await cvLab(['grade', '-q', '--json', '--exercises', exercises, file]);
    const rows = JSON.parse(result.stdout).rows as { flags: { code: string; message: string }[] }[];
    const expected = submissionTemplate.model!.weightDataBase64.length;
    expect(rows[0].flags).toContainEqual({
      code: 'model-unloadable',
      message:
        `the model's weights cannot be read: model.weightDataBase64: ${expected + 4_000_000} characters, ` +
        `but ${submissionTemplate.model!.byteLength} bytes of weights take ${expected}`,
    });
  });

  it('formula names in the CSV roster are quoted and defused, in every locale', async () => {
    const names = ['=HYPERLINK("http://evil","x")', "x;=cmd|' /C calc'!A0", 'Bob, +1', '@SUM(A1)', 'Ada'];
    const files = await Promise.all(
      names.map((name, i) =>
        submissionFile(
          `formula-${i}.cvsub.json`,
          variant((s) => {
            s.learner = { name };
            s.exerciseId = 'not-in-catalog';
          }),
        ),
      ),
    );
    const csv = `${fresh('roster')}.csv`;
    const result = await cvLab(['grade', '-q', '--exercises', exercises, '--report', csv, ...files]);
    expect(result.code).toBe(2);
    const learners = readFileSync(csv, 'utf8')
      .split('\r\n')
      .slice(1, -1)
      .map((line) => line.slice(0, line.indexOf(',,not-in-catalog')));
    expect(learners).toEqual([
      `"'=HYPERLINK(""http://evil"",""x"")"`,
      `"'x;=cmd|' /C calc'!A0"`,
      `"'Bob, +1"`,
      `'@SUM(A1)`,
      'Ada',
    ]);
  });

  it("terminal escapes in a learner's name reach neither the table nor the progress lines", async () => {
    const file = await submissionFile(
      'escape-name.cvsub.json',
      variant((s) => {
        s.learner = { name: '\u001b[2J\u001b[31mMallory\u0007\u009b1m' };
        s.setTitle = '\u001b]8;;http://evil\u001b\\link';
        s.exerciseId = 'not-in-catalog';
      }),
    );
    const result = await cvLab(['grade', '--exercises', exercises, file]);
    expect(result.code).toBe(2);
    for (const control of [ESC, '\u0007', '\u009b'])
      expect(result.stdout + result.stderr).not.toContain(control);
    expect(result.stdout).toMatch(/\n\[2J\[31mMallory1m +not-in-catalog +ERROR/);
  });
});

describe('datasets import: zips', () => {
  const zipFile = async (name: string, bytes: Uint8Array) => {
    const file = path.join(work, name);
    await writeFile(file, bytes);
    return file;
  };
  const goodEntries = () => Object.entries(goodImages()).map(([name, bytes]) => storedEntry(name, bytes));

  it('a 1 GiB entry (real deflate of zeros, declared honestly) is skipped unread', async () => {
    const zip = await zipFile(
      'gigabyte.zip',
      zipArchive([...goodEntries(), zerosEntry('red/huge.png', 1024)]),
    );
    const out = fresh('out');
    const result = await measured(importArgs(zip, out));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'skipped 1 unreadable images: red/huge.png (1024.0 MB, over the limit of 256 MB for one image file)',
    );
    expect(result.peakRss).toBeLessThan(ONE_GB);
  });

  it('an entry whose real bytes exceed its declared size stops the import at the first byte past it', async () => {
    const zip = await zipFile(
      'forged.zip',
      zipArchive([...goodEntries(), zerosEntry('blue/forged.png', 1024, 1000)]),
    );
    const out = fresh('out');
    const result = await measured(importArgs(zip, out));
    expect(result.code).toBe(2);
    expect(lastLine(result.stderr)).toBe(
      `cv-lab: ${zip}: blue/forged.png holds more than the 1000 bytes the zip declares for it; ` +
        'the archive is damaged or forged, make it again',
    );
    expect(existsSync(out) ? await readdir(out) : []).toEqual([]);
    expect(result.peakRss).toBeLessThan(ONE_GB);
  });

  it('an entry with fewer bytes than declared is refused as damaged', async () => {
    const entry = zerosEntry('blue/short.png', 1, 2 * MiB);
    const zip = await zipFile('short.zip', zipArchive([...goodEntries(), entry]));
    const result = await cvLab(importArgs(zip, fresh('out')));
    expect(result.code).toBe(2);
    expect(lastLine(result.stderr)).toBe(
      `cv-lab: ${zip}: blue/short.png holds ${MiB} bytes, but the zip declares ${2 * MiB}; ` +
        'the archive is damaged or forged, make it again',
    );
  });

  it('path traversal (../../x.png) in an entry refuses the archive; nothing is written outside', async () => {
    const zip = await zipFile(
      'traversal.zip',
      zipArchive([...goodEntries(), storedEntry('red/../../x.png', RED)]),
    );
    const out = fresh('out');
    const result = await cvLab(importArgs(zip, out));
    expect(result.code).toBe(2);
    expect(lastLine(result.stderr)).toBe(`cv-lab: ${zip} is refused: invalid relative path: red/../../x.png`);
    expect(existsSync(path.join(work, 'x.png'))).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('an absolute path in an entry refuses the archive', async () => {
    const zip = await zipFile(
      'absolute.zip',
      zipArchive([...goodEntries(), storedEntry('/tmp/red/x.png', RED)]),
    );
    const result = await cvLab(importArgs(zip, fresh('out')));
    expect(result.code).toBe(2);
    expect(lastLine(result.stderr)).toBe(`cv-lab: ${zip} is refused: absolute path: /tmp/red/x.png`);
  });

  it('terminal escapes in class folder names are stripped from the log and the manifest', async () => {
    const entries = Object.entries(goodImages()).map(([name, bytes]) =>
      storedEntry(name.replace('red/', '\u001b[31mred\u001b[0m/'), bytes),
    );
    const zip = await zipFile('escapes.zip', zipArchive(entries));
    const out = fresh('out');
    const result = await cvLab(importArgs(zip, out));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(ESC);
    const manifest = JSON.parse(readFileSync(path.join(out, 'hostile', 'manifest.json'), 'utf8'));
    // Sorted by the folders' own names, as Keras sorts them: the escape sorts first.
    expect(manifest.classNames).toEqual(['[31mred[0m', 'blue']);
  });

  it('a symbolic-link entry (red/passwd.png -> /etc/passwd) is data, never followed', async () => {
    const link = {
      ...storedEntry('red/passwd.png', new TextEncoder().encode('/etc/passwd')),
      unixMode: 0o120777,
    };
    const zip = await zipFile('symlink.zip', zipArchive([...goodEntries(), link]));
    const result = await cvLab(importArgs(zip, fresh('out')));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('red/passwd.png (not a PNG, JPEG or WebP file (unrecognised contents))');
    expect(result.stderr).not.toContain('root:');
  });

  it('class folders that collide once escapes are stripped are refused', async () => {
    const zip = await zipFile(
      'collide.zip',
      zipArchive([
        ...goodEntries(),
        storedEntry('red\u001b/1.png', RED),
        storedEntry('red\u001b/2.png', RED),
      ]),
    );
    const result = await cvLab(importArgs(zip, fresh('out')));
    expect(result.code).toBe(2);
    expect(lastLine(result.stderr)).toBe(
      `cv-lab: ${zip}: two class folders are both named 'red' once control characters are removed; rename one`,
    );
  });
});

describe('datasets import: folders and images', () => {
  it('a symlinked class folder is listed and not followed', async () => {
    const input = fresh('links');
    await writeTree(input, { 'red/1.png': RED, 'red/2.png': RED });
    const outside = fresh('outside');
    await writeTree(outside, { '1.png': BLUE, '2.png': BLUE });
    await symlink(outside, path.join(input, 'blue'));
    const result = await cvLab(importArgs(input, fresh('out')));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('skipping 1 symbolic links (links are not followed): blue');
    expect(lastLine(result.stderr)).toBe(
      `cv-lab: ${input}: only one class folder ('red'); a classifier needs at least two, one sub-folder per class`,
    );
  });

  it('an image that is a link to /dev/zero is listed and never read', async () => {
    const input = fresh('dev-zero');
    await writeTree(input, goodImages());
    await symlink('/dev/zero', path.join(input, 'red', 'endless.png'));
    const result = await measured(importArgs(input, fresh('out')));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('skipping 1 symbolic links (links are not followed): red/endless.png');
    expect(result.peakRss).toBeLessThan(ONE_GB);
  });

  it('a renamed binary (a PDF called .png) and a PNG header claiming 100000×100000 are skipped by name', async () => {
    const input = fresh('renamed');
    await writeTree(input, {
      ...goodImages(),
      'red/document.png': readFileSync(path.join(hostile, 'document-renamed.png')),
      'blue/huge.png': readFileSync(path.join(hostile, 'png-100000x100000.png')),
    });
    const result = await measured(importArgs(input, fresh('out')));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'blue/huge.png (100000×100000 is 10000.0 megapixels, over the limit of 50; shrink it first)',
    );
    expect(result.stderr).toContain(
      'red/document.png (not a PNG, JPEG or WebP file (unrecognised contents))',
    );
    expect(result.peakRss).toBeLessThan(ONE_GB);
  });

  it('an interlaced PNG whose image data is a zlib bomb is skipped at the size its header implies', async () => {
    const input = fresh('interlaced');
    await writeTree(input, {
      ...goodImages(),
      'red/genuine.png': interlacedPng(13, 7, [220, 30, 30]),
      'blue/bomb.png': interlacedPngBomb(1024),
    });
    const result = await measured(importArgs(input, fresh('out')));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'skipped 1 unreadable images: blue/bomb.png (corrupt PNG (its image data inflates to more than 4 bytes, ' +
        'all a 1×1 image needs))',
    );
    expect(result.stdout).toContain('2 classes, 5 train, 2 test images');
    expect(result.peakRss).toBeLessThan(ONE_GB);
  });

  it('an import that leaves the test split empty is an error unless --allow-empty-test', async () => {
    const input = fresh('one-each');
    await writeTree(input, { 'red/1.png': RED, 'blue/1.png': BLUE });
    const out = fresh('out');
    const refused = await cvLab(importArgs(input, out));
    expect(refused.code).toBe(2);
    expect(lastLine(refused.stderr)).toBe(
      `cv-lab: ${input}: the test split would hold no image (2 images, test fraction 0.2: each class needs ` +
        'at least 2 images to give one to test); add images, or pass --allow-empty-test to import it anyway ' +
        '(it can then be trained on but not graded on)',
    );
    expect(existsSync(out)).toBe(false);
    const allowed = await cvLab(importArgs(input, out, '--allow-empty-test'));
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('2 classes, 2 train, 0 test images');
  });
});
