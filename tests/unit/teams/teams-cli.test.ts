/**
 * The team lead's command line as a lead runs it: a real submission made by `submission create`
 * on the quick-fashion fixture (trains in seconds), then `grade` on it and on tampered, truncated
 * and foreign files, with and without a set that carries a private test; and `set validate`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSubmission, cvLab, repoRoot } from '../cli/run-cli';
import { buildDatasetFiles } from '../../../src/core/datasets/build';
import { imageBytes } from '../../../src/core/datasets/manifest';
import { loadDataset } from '../../../src/core/datasets/load';
import { buildSet, embedPrivateTest } from '../../../src/core/exercises/set';
import { parseSubmission, type Submission } from '../../../src/core/exercises/submission';
import { datasetFolder, fsDatasetReader } from '../../../src/cli/datasets/fs-reader';
import {
  buildSubmissionBundle,
  serializeSubmissionBundle,
} from '../../../src/core/exercises/submission-bundle';
import { readCatalog } from '../../../src/cli/catalog';
import { findExercise } from '../../../src/core/exercises/catalog';

const root = repoRoot;
const fixtures = join(root, 'tests/fixtures/exercises');
const work = mkdtempSync(join(tmpdir(), 'cv-lab-teams-'));

const grade = (...args: string[]) => cvLab(['grade', '--exercises', fixtures, '-q', ...args]);

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

let goodPath: string;
let good: Submission;
let goodText: string;
let setPath: string;

/** One base64 character in the middle replaced: same length, other weights. */
function flipBase64(text: string): string {
  const i = Math.floor(text.length / 2);
  return text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
}

beforeAll(async () => {
  goodPath = join(work, 'ada.cvsub.json');
  const made = await createSubmission({
    exercises: fixtures,
    exercise: 'quick-fashion',
    code: join(fixtures, 'quick-fashion/solution.ts'),
    name: 'Ada Lovelace',
    out: goodPath,
  });
  expect(made.code, made.stderr).toBe(0);
  expect(made.stderr).toMatch(/Wrote .*ada\.cvsub\.json: passed, score 100\.0, model [0-9a-f]{12}/);
  goodText = readFileSync(goodPath, 'utf8');
  good = parseSubmission(goodText);

  // A lead's private test: the first 300 Fashion-MNIST test images, embedded in a set that also
  // raises the bar of quick-fashion beyond what its solution reaches.
  const fashion = await loadDataset(fsDatasetReader(datasetFolder('fashion-mnist')), { splits: ['test'] });
  const test = fashion.splits.test!;
  const count = 300;
  const { manifest } = fashion;
  const built = await buildDatasetFiles(
    { ...manifest, id: 'lead-private', title: 'Lead private test' },
    {
      train: { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 },
      test: {
        images: test.images.slice(0, count * imageBytes(manifest)),
        labels: test.labels.slice(0, count),
        count,
      },
    },
  );
  const set = buildSet({
    title: 'Week 3 <script>alert(1)</script>',
    author: 'Grace',
    exercises: [{ id: 'quick-fashion', targets: [{ metric: 'accuracy', atLeast: 0.99 }] }],
    exam: { enabled: true, minutes: 60 },
    privateTest: embedPrivateTest(built.manifest, built.files),
  });
  setPath = file('week3.cvset.json', JSON.stringify(set));
}, 120_000);

describe('cv-lab grade <submissions>', () => {
  it('re-grades a real submission: exit 0, the table and the CSV', async () => {
    const csvPath = join(work, 'roster.csv');
    const result = await grade(goodPath, '--report', csvPath);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^learner +exercise +result +metric +score +time +backend +flags\n/);
    expect(result.stdout).toMatch(
      /Ada Lovelace +quick-fashion +PASS +accuracy 0\.\d{4} +100\.0 +\d+\.\d s +wasm +-/,
    );
    const lines = readFileSync(csvPath, 'utf8').split('\r\n');
    expect(lines[0]).toBe(
      'learner,set,exercise,result,regrade,metric,value,score,submitted_at,late,train_seconds,backend,flags,file,error,comment,reproduction',
    );
    // The file's base name only: a report the lead sends names no folder of the lead's.
    expect(lines[1]).toBe(
      `Ada Lovelace,,quick-fashion,pass,pass,accuracy,${good.report.metrics.accuracy.toFixed(4)},100.0,` +
        `${good.createdAt},,${good.report.timings.trainSeconds.toFixed(1)},wasm,,ada.cvsub.json,,,`,
    );
    expect(lines[2]).toBe('');
  });

  it("reads a learner's bundle of submissions like single files, and writes a gradebook", async () => {
    const bundlePath = file(
      'ada.all.cvsubs.json',
      serializeSubmissionBundle(buildSubmissionBundle([good], { createdAt: good.createdAt })),
    );
    const gradebookPath = join(work, 'gradebook.csv');
    const result = await grade(bundlePath, '--gradebook', gradebookPath);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Ada Lovelace +quick-fashion +PASS/);
    expect(readFileSync(gradebookPath, 'utf8')).toBe(
      `Learner,${findExercise(await readCatalog(fixtures), 'quick-fashion')!.exercise.title},Total\r\nAda Lovelace,100.0,100.0\r\n`,
    );
  });

  it('flags tampered weights and a tampered report: exit 1', async () => {
    const weights = JSON.parse(goodText);
    weights.model.weightDataBase64 = flipBase64(weights.model.weightDataBase64);
    const report = JSON.parse(goodText);
    report.report.metrics.accuracy = 0.97;
    const result = await grade(
      file('weights.cvsub.json', JSON.stringify(weights)),
      file('report.cvsub.json', JSON.stringify(report)),
      '--json',
    );
    expect(result.code, result.stderr).toBe(1);
    const rows = JSON.parse(result.stdout).rows as { flags: { code: string; message: string }[] }[];
    expect(rows[0].flags.map((f) => f.code)).toEqual(['model-hash', 'report-mismatch']);
    expect(rows[0].flags[0].message).toMatch(
      /^the model's weights do not match their SHA-256 .*: the weights were changed$/,
    );
    expect(rows[1].flags).toEqual([
      {
        code: 'report-mismatch',
        message: `the stored report differs from the re-grade: accuracy ${good.report.metrics.accuracy.toFixed(4)} on re-grade, stored report says 0.9700`,
      },
    ]);
  });

  it('names every unreadable or malformed file, grades the rest, and exits 2', async () => {
    const future = JSON.parse(goodText);
    future.version = 2;
    const huge = JSON.parse(goodText);
    huge.learner.name = 'x'.repeat(100_000);
    const paths = {
      truncated: file('truncated.cvsub.json', goodText.slice(0, goodText.length / 2)),
      wrongFormat: file('wrong.cvsub.json', JSON.stringify({ format: 'cv-lab-report', version: 1 })),
      future: file('future.cvsub.json', JSON.stringify(future)),
      huge: file('huge.cvsub.json', JSON.stringify(huge)),
      missing: join(work, 'nope.cvsub.json'),
    };
    const result = await grade(...Object.values(paths), goodPath);
    expect(result.code).toBe(2);
    const errors = result.stderr.trim().split('\n');
    expect(errors[0]).toMatch(
      /^cv-lab: .*truncated\.cvsub\.json: submission: not JSON \(.*\); the file may be truncated or not a submission$/,
    );
    expect(errors[1]).toBe(
      `cv-lab: ${paths.wrongFormat}: submission: format is 'cv-lab-report', expected 'cv-lab-submission'`,
    );
    expect(errors[2]).toBe(
      `cv-lab: ${paths.future}: submission: version 2 is newer than this CV Lab reads (1); update CV Lab to open it`,
    );
    expect(errors[3]).toBe(
      `cv-lab: ${paths.huge}: submission: learner.name: a string of 97.7 KB, more than the 64.0 KB allowed`,
    );
    expect(errors[4]).toBe(`cv-lab: ${paths.missing}: cannot read: ENOENT`);
    expect(result.stdout).toMatch(/Ada Lovelace +quick-fashion +PASS/);
    expect(result.stdout.match(/ERROR/g)).toHaveLength(5);
  });

  it('grades a submission saved as UTF-8 with a byte-order mark or as UTF-16; a renamed PNG gets one clear line', async () => {
    const paths = {
      bom: file('bom.cvsub.json', `\ufeff${goodText}`),
      utf16: join(work, 'utf16.cvsub.json'),
      png: join(work, 'photo.cvsub.json'),
    };
    writeFileSync(paths.utf16, Buffer.from(`\ufeff${goodText}`, 'utf16le'));
    // A PNG signature and the start of an IHDR chunk, as a renamed screenshot begins.
    writeFileSync(
      paths.png,
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
    );
    const result = await grade(paths.bom, paths.utf16, paths.png);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`cv-lab: ${paths.png}: submission: this is a PNG image, not a submission\n`);
    expect(result.stdout.match(/Ada Lovelace +quick-fashion +PASS/g)).toHaveLength(2);
  });

  it("re-grades on a set's private test with its overrides, writing an escaped HTML report", async () => {
    const hostile = JSON.parse(goodText);
    hostile.learner.name = '<script>alert("pwned")</script>';
    const htmlPath = join(work, 'roster.html');
    const result = await grade(
      file('hostile.cvsub.json', JSON.stringify(hostile)),
      '--set',
      setPath,
      '--report',
      htmlPath,
    );
    expect(result.code, result.stderr).toBe(1);
    // Made without --set, so it names no set: wrong-set against the lead's.
    expect(result.stdout).toMatch(
      /quick-fashion +FAIL +accuracy 0\.\d{4} +\d+\.\d +\d+\.\d s +wasm +wrong-set/,
    );
    const html = readFileSync(htmlPath, 'utf8');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    // Failed and flagged (wrong-set): shown as flagged, never as a pass.
    expect(html).toMatch(/<td class="verdict flagged">[^<]*<\/td><td>fail<\/td><td>accuracy<\/td>/);
    expect(html).not.toContain(work);
  });

  it('refuses a report file of an unknown kind before grading', async () => {
    const result = await grade(goodPath, '--report', join(work, 'roster.xlsx'));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `cv-lab: --report ${join(work, 'roster.xlsx')}: the file must end in .csv, .json or .html\n`,
    );
  });
});

describe('case-graded submissions on the command line', () => {
  it('writes a quiz submission without a model; grade re-runs its code and flags a boasting copy', async () => {
    const out = join(work, 'grace.quiz.cvsub.json');
    const made = await createSubmission({
      exercise: 'quiz-cnn-architectures',
      code: join(root, 'exercises/quiz-cnn-architectures/starter.ts'),
      name: 'Grace Hopper',
      out,
    });
    expect(made.code, made.stderr).toBe(0);
    const quiz = parseSubmission(readFileSync(out, 'utf8'));
    expect(quiz.model).toBeUndefined();
    expect(quiz.report.passed).toBe(false);
    const boasting = file(
      'mallory.quiz.cvsub.json',
      JSON.stringify({
        ...quiz,
        learner: { name: 'Mallory' },
        report: { ...quiz.report, passed: true, metrics: { ...quiz.report.metrics, accuracy: 1 } },
      }),
    );
    const result = await cvLab(['grade', '-q', '--json', out, boasting]);
    expect(result.code, result.stderr).toBe(1);
    const { rows } = JSON.parse(result.stdout) as {
      rows: { learner: string; status: string; flags: { code: string; message: string }[] }[];
    };
    expect(rows.map((r) => [r.learner, r.status])).toEqual([
      ['Grace Hopper', 'fail'],
      ['Mallory', 'fail'],
    ]);
    expect(rows[0].flags).toEqual([]);
    expect(rows[1].flags).toEqual([
      {
        code: 'report-mismatch',
        message: expect.stringMatching(/fails on re-grade, stored report says passed/),
      },
    ]);
  });
});

describe('cv-lab set validate', () => {
  it('refuses a set naming an exercise the catalog does not have, or a target no metric can have', async () => {
    const set = JSON.parse(readFileSync(setPath, 'utf8'));
    set.exercises = [{ id: 'quick-fashoin' }];
    const typo = await cvLab([
      'set',
      'validate',
      file('typo.cvset.json', JSON.stringify(set)),
      '--exercises',
      fixtures,
    ]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/set: names 'quick-fashoin', which is not in the catalog \(quick-fashion\)/);
    set.exercises = [{ id: 'quick-fashion', targets: [{ metric: 'accuracy', split: 'test', atLeast: -1 }] }];
    const negative = await cvLab(['set', 'validate', file('negative.cvset.json', JSON.stringify(set))]);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toMatch(
      /out of range: a loss target is 0 or more; every other metric lies between 0 and 1/,
    );
  });

  it('prints the summary of a valid set, and names the problem of a damaged one', async () => {
    const ok = await cvLab(['set', 'validate', setPath, '--exercises', fixtures]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^Set: Week 3 <script>alert\(1\)<\/script> \(by Grace\)\n/);
    expect(ok.stdout).toContain('  1. quick-fashion (targets test accuracy >= 0.99)');
    expect(ok.stdout).toContain('Exam: 60 min, weights beginner 1, intermediate 2, advanced 3');
    expect(ok.stdout).toMatch(
      /Private test: 300 images of lead-private, \d+\.\d KB in 2 files, hashes verified/,
    );

    const damaged = JSON.parse(readFileSync(setPath, 'utf8'));
    damaged.privateTest.files[0].base64 = flipBase64(damaged.privateTest.files[0].base64);
    const badPath = file('damaged.cvset.json', JSON.stringify(damaged));
    const bad = await cvLab(['set', 'validate', badPath, '--exercises', fixtures]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `cv-lab: ${badPath}: set: privateTest file test-images-0.bin.gzip: SHA-256 mismatch (the file was changed or damaged)\n`,
    );
  });
});
