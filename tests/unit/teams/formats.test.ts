/**
 * The team-lead formats in process: model artifacts, sets (private test, links, exam score),
 * submissions, re-grading and the roster writers, against hostile and damaged input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { hashModelWeights } from '../../../src/core/grading/grade';
import { decodeWeights, deserializeModel, serializeModel } from '../../../src/core/models/artifacts';
import {
  applySetOverrides,
  buildSet,
  decodeSetLink,
  embedPrivateTest,
  encodeSetLink,
  examScore,
  FormatError,
  learnerCopy,
  parseSet,
  privateTestDataset,
  type CvSet,
} from '../../../src/core/exercises/set';
import {
  parseSubmission,
  serializeSubmission,
  submissionFileName,
  type Submission,
} from '../../../src/core/exercises/submission';
import { regradeSubmission } from '../../../src/core/grading/regrade';
import {
  csvCell,
  rosterRow,
  rosterToCsv,
  rosterToHtml,
  rosterToJson,
} from '../../../src/core/grading/roster';
import { bytesToBase64 } from '../../../src/core/shared/base64';
import type { LoadedDataset } from '../../../src/core/datasets/types';
import type { BuiltDataset } from '../../../src/core/datasets/build';
import { filesOf } from '../../fixtures/datasets/tiny';
import {
  tf,
  tinyBundle,
  tinyDataset,
  tinyModel,
  tinySubmission,
  useCpuBackend,
} from '../../fixtures/teams/tiny-team';

let built: BuiltDataset;
let dataset: LoadedDataset;
let submission: Submission;

beforeAll(async () => {
  await useCpuBackend();
  ({ built, dataset } = await tinyDataset());
  submission = await tinySubmission(dataset);
});

/** Replaces one base64 character in the middle by another letter: same length, other bytes. */
function flipBase64(text: string): string {
  const i = Math.floor(text.length / 2);
  return text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
}

function rejects(fn: () => unknown, message: string | RegExp) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    if (typeof message === 'string') expect((error as Error).message).toBe(message);
    else expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a FormatError');
}

async function rejectsAsync(promise: Promise<unknown>, message: string | RegExp) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FormatError);
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
}

describe('model artifacts', () => {
  it('hashes the weights exactly as the grader does and loads back to the same predictions', async () => {
    const model = tinyModel();
    const artifacts = await serializeModel(tf, model);
    expect(artifacts.weightsSha256).toBe(await hashModelWeights(model));
    expect(artifacts.byteLength).toBe((6 * 3 + 3) * 4);
    expect(artifacts.weightSpecs.map((s) => s.shape)).toEqual([[6, 3], [3]]);
    const loaded = await deserializeModel(tf, JSON.parse(JSON.stringify(artifacts)));
    const xs = tf.randomUniform([4, 2, 3, 1], 0, 1, 'float32', 7);
    const [a, b] = [model.predict(xs) as tf.Tensor, loaded.predict(xs) as tf.Tensor];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    expect(await hashModelWeights(loaded)).toBe(artifacts.weightsSha256);
    tf.dispose([xs, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('refuses weights whose bytes were changed, and text that is not base64', async () => {
    const model = tinyModel();
    const artifacts = await serializeModel(tf, model);
    model.dispose();
    const tampered = { ...artifacts, weightDataBase64: flipBase64(artifacts.weightDataBase64) };
    const { sha256 } = await decodeWeights(tampered);
    await rejectsAsync(
      deserializeModel(tf, tampered),
      `model weights: SHA-256 is ${sha256}, the file says ${artifacts.weightsSha256}: the weights were changed`,
    );
    await rejectsAsync(
      deserializeModel(tf, { ...artifacts, weightDataBase64: `${artifacts.weightDataBase64.slice(1)}!` }),
      'model.weightDataBase64: not valid base64',
    );
  });
});

function setJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: 'cv-lab-set',
    version: 1,
    id: 'week-3',
    title: 'Week 3: CNNs',
    notes: 'Train **both**.',
    dueDate: '2025-07-01',
    author: 'Grace',
    exercises: [
      { id: 'tiny-team', targets: [{ metric: 'accuracy', atLeast: 0.5 }], limits: { timeSeconds: 30 } },
      { id: 'quick-fashion' },
    ],
    exam: { enabled: true, minutes: 90, weights: { beginner: 1, intermediate: 2, advanced: 3 } },
    createdAt: '2025-06-01T09:00:00.000Z',
    ...overrides,
  };
}
const setText = (overrides: Record<string, unknown> = {}) => JSON.stringify(setJson(overrides));

describe('sets', () => {
  it('round-trips through its file and applies its overrides', async () => {
    const set = buildSet({
      title: 'Week 3: CNNs',
      exercises: [{ id: 'tiny-team', targets: [{ metric: 'accuracy', atLeast: 0.5 }] }],
    });
    expect(set.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await parseSet(JSON.stringify(set))).toEqual(set);
    const parsed = await parseSet(setText());
    const applied = applySetOverrides(tinyBundle, parsed.exercises[0]);
    expect(applied.exercise.targets).toEqual([{ metric: 'accuracy', split: 'test', atLeast: 0.5 }]);
    expect(applied.exercise.limits.timeSeconds).toBe(30);
    expect(tinyBundle.exercise.targets[0].atLeast).toBe(0.3);
    expect(applySetOverrides(tinyBundle, parsed.exercises[1]).exercise).toEqual(tinyBundle.exercise);
  });

  it.each([
    ['{"format": "cv-lab-set", "vers', /^set: not JSON \(.*\); the file may be truncated or not a set$/],
    [setText({ format: 'x' }), "set: format is 'x', expected 'cv-lab-set'"],
    [setText({ format: undefined }), "set: format is missing, expected 'cv-lab-set'"],
    [setText({ version: 2 }), 'set: version 2 is newer than this CV Lab reads (1); update CV Lab to open it'],
    [
      setText({ exercises: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'Bad Id' }] }),
      'set: exercises.3.id: ids are lower-case letters, digits and dashes',
    ],
    [setText({ exercises: [{ id: 'a' }, { id: 'a' }] }), "set: exercises.1.id: 'a' is listed twice"],
    [setText({ extra: 1 }), 'set: (root): Unrecognized key: "extra"'],
    [
      setText({ exercises: [{ id: 'a', targets: [{ metric: 'accuracy', atLeast: 0.5, atMost: 0.9 }] }] }),
      'set: exercises.0.targets.0: a target needs exactly one of atLeast or atMost',
    ],
    [
      setText({ dueDate: 'next friday' }),
      'set: dueDate: an ISO 8601 date, e.g. 2025-06-30 or 2025-06-30T17:00:00Z',
    ],
    [
      setText({ notes: 'x'.repeat(30_000) }),
      'set: notes: Too big: expected string to have <=20000 characters',
    ],
    [
      setText({ title: 'x'.repeat(1024 * 1024) }),
      'set: title: a string of 1.0 MB, more than the 64.0 KB allowed',
    ],
    [
      setText({ exercises: Array.from({ length: 200_000 }, () => ({ id: 'a' })) }),
      'set: exercises: 200000 items, more than the 100000 allowed',
    ],
    ['[1, 2]', "set: expected a JSON object with format 'cv-lab-set'"],
  ])('refuses a malformed set with a message that names the problem (%#)', async (text, message) => {
    await rejectsAsync(parseSet(text), message);
  });

  it('refuses __proto__ keys anywhere, polluting nothing', async () => {
    const text = setText().replace('"exam":{', '"exam":{"__proto__":{"polluted":true},');
    await rejectsAsync(parseSet(text), "set: exam.__proto__: the key '__proto__' is not allowed");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('carries a private test that loads as the test split, and refuses one whose shard was changed', async () => {
    const privateTest = embedPrivateTest(built.manifest, filesOf(built));
    expect(privateTest.files.map((f) => f.name)).toEqual([
      'test-images-0.bin.gzip',
      'test-images-1.bin.gzip',
      'test-images-2.bin.gzip',
      'test-labels-0.bin.gzip',
    ]);
    // the train split's sample sheet stays behind with the train split
    expect(built.manifest.samples).toBeDefined();
    expect(privateTest.manifest).not.toHaveProperty('samples');
    const set = await parseSet(setText({ privateTest }));
    const loaded = await privateTestDataset(set.privateTest!);
    expect(loaded.splits.test!.count).toBe(30);
    expect(loaded.hash).toBe(dataset.hash);
    expect(learnerCopy(set)).not.toHaveProperty('privateTest');

    const files = privateTest.files.map((f, i) => (i === 0 ? { ...f, base64: flipBase64(f.base64) } : f));
    await rejectsAsync(
      parseSet(setText({ privateTest: { ...privateTest, files } })),
      'set: privateTest file test-images-0.bin.gzip: SHA-256 mismatch (the file was changed or damaged)',
    );
    await rejectsAsync(
      parseSet(setText({ privateTest: { ...privateTest, files: privateTest.files.slice(1) } })),
      'set: privateTest is missing the file test-images-0.bin.gzip',
    );
    const extra = { name: 'train-images-0.bin.gzip', base64: bytesToBase64(new Uint8Array(3)) };
    await rejectsAsync(
      parseSet(setText({ privateTest: { ...privateTest, files: [...privateTest.files, extra] } })),
      "set: privateTest file train-images-0.bin.gzip: not a test shard of the private test's manifest",
    );
  });

  it('travels in a link (without its private test) and refuses a set too large for one', async () => {
    const set = await parseSet(setText({ privateTest: embedPrivateTest(built.manifest, filesOf(built)) }));
    const link = await encodeSetLink(set, 'https://lab.example/#/old');
    expect(link).toMatch(/^https:\/\/lab\.example\/#set=[A-Za-z0-9_-]+$/);
    expect(link.length).toBeLessThan(1000);
    expect(await decodeSetLink(link)).toEqual(learnerCopy(set));

    // Random CJK text does not compress: 20,000 characters take about 50 KB in a link.
    let seed = 1;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const notes = Array.from({ length: 20_000 }, () =>
      String.fromCharCode(0x4e00 + Math.floor(random() * 20000)),
    ).join('');
    await rejectsAsync(
      encodeSetLink(await parseSet(setText({ notes })), 'https://lab.example/'),
      /^set link: the set takes \d+\.\d KB in a link, more than the 32\.0 KB a link can carry and still work everywhere; hand out the \.cvset\.json file instead \(or shorten the notes\)$/,
    );

    await rejectsAsync(
      decodeSetLink('https://lab.example/#x=1'),
      'set link: no set in this link (expected #set=...)',
    );
    const fragment = link.split('#set=')[1];
    const cut = fragment.slice(0, fragment.length - 8 - ((fragment.length - 8) % 4));
    await rejectsAsync(
      decodeSetLink(`https://lab.example/#set=${cut}`),
      'set link: damaged (it does not decompress); it may have been cut off when copied',
    );
    await rejectsAsync(decodeSetLink('#set=a$b'), 'set link: not valid base64url');
  });

  it('refuses a link that expands past its bound', async () => {
    const zeros = new Blob([new Uint8Array(2 * 1024 * 1024)])
      .stream()
      .pipeThrough(new CompressionStream('deflate-raw'));
    const packed = new Uint8Array(await new Response(zeros).arrayBuffer());
    const fragment = bytesToBase64(packed).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    await rejectsAsync(decodeSetLink(`#set=${fragment}`), 'set link: expands to more than 1.0 MB');
  });

  it('scores an exam by difficulty, out of 100', async () => {
    const set: CvSet = await parseSet(
      setText({ exercises: [{ id: 'easy' }, { id: 'middle' }, { id: 'hard' }] }),
    );
    const catalog = [
      { id: 'easy', difficulty: 'beginner' as const },
      { id: 'middle', difficulty: 'intermediate' as const },
      { id: 'hard', difficulty: 'advanced' as const },
    ];
    const score = examScore(
      { easy: { passed: true, score: 100 }, middle: { passed: false, score: 50 } },
      set,
      catalog,
    );
    expect(score.lines.map((l) => [l.exerciseId, l.weight, l.score, Number(l.points.toFixed(3))])).toEqual([
      ['easy', 1, 100, 16.667],
      ['middle', 2, 50, 16.667],
      ['hard', 3, 0, 0],
    ]);
    expect(score.total).toBe(33.3);
    const all = {
      easy: { passed: true, score: 100 },
      middle: { passed: true, score: 100 },
      hard: { passed: true, score: 100 },
    };
    expect(examScore(all, set, catalog).total).toBe(100);
    // A failure counts at most half marks, even from a report graded before that cap (failed, 94)
    // or failed by the host after grading; a pass counts 100 (docs/grading.md).
    const old = examScore(
      { easy: { passed: true, score: 100 }, middle: { passed: false, score: 94 } },
      set,
      catalog,
    );
    expect(old.lines.map((l) => l.score)).toEqual([100, 50, 0]);
    expect(old.total).toBe(33.3);
  });
});

describe('submissions', () => {
  it('round-trips through its file; history keeps finite figures only', () => {
    const text = serializeSubmission(submission);
    expect(parseSubmission(text)).toEqual(submission);
    expect(submission.history[1].logs).toEqual({ loss: 0.9, acc: 0.5 });
    expect(submission.report.modelHash).toBe(submission.model!.weightsSha256);
    expect(submissionFileName({ learner: { name: 'Ada <Lovelace>' }, exerciseId: 'tiny-team' })).toBe(
      'ada-lovelace.tiny-team.cvsub.json',
    );
  });

  const withField = (patch: (json: Record<string, unknown>) => void) => {
    const json = JSON.parse(serializeSubmission(submission));
    patch(json);
    return JSON.stringify(json);
  };

  it.each([
    [
      () => serializeSubmission(submission).slice(0, 500),
      /^submission: not JSON \(.*\); the file may be truncated or not a submission$/,
    ],
    [() => setText(), "submission: format is 'cv-lab-set', expected 'cv-lab-submission'"],
    [
      () => withField((j) => (j.version = 7)),
      'submission: version 7 is newer than this CV Lab reads (1); update CV Lab to open it',
    ],
    [
      () => withField((j) => ((j.learner as { name: string }).name = 'x'.repeat(500))),
      'submission: learner.name: Too big: expected string to have <=100 characters',
    ],
    [
      () => withField((j) => (j.code = 'x'.repeat(300 * 1024))),
      'submission: code: a string of 300.0 KB, more than the 256.0 KB allowed',
    ],
    [
      () => withField((j) => ((j.report as Record<string, unknown>).injected = true)),
      'submission: report: Unrecognized key: "injected"',
    ],
    [() => withField((j) => (j.codeSha256 = 'abc')), 'submission: codeSha256: 64 lower-case hex digits'],
    [
      () => withField((j) => ((j.model as { byteLength: number }).byteLength = 8)),
      'submission: model.byteLength: the weight specs describe 84 bytes but byteLength is 8',
    ],
    [
      () =>
        serializeSubmission(submission).replace('"metrics":{', '"metrics":{"__proto__":{"isAdmin":true},'),
      "submission: report.metrics.__proto__: the key '__proto__' is not allowed",
    ],
  ])('refuses a malformed submission with a message that names the problem (%#)', (make, message) => {
    rejects(() => parseSubmission(make()), message);
  });
});

describe('regradeSubmission', () => {
  it('grades a clean submission alike, with no flags, and frees the model', async () => {
    const before = tf.memory().numTensors;
    const result = await regradeSubmission(tf, submission, { bundle: tinyBundle, testDataset: dataset });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.flags).toEqual([]);
    expect(result.report!.metrics.accuracy).toBe(submission.report.metrics.accuracy);
    expect(result.report!.modelHash).toBe(submission.model!.weightsSha256);
    expect(result.report!.passed).toBe(submission.report.passed);
  });

  it('flags changed weights (and still grades the model as shipped)', async () => {
    const tampered = {
      ...submission,
      model: { ...submission.model!, weightDataBase64: flipBase64(submission.model!.weightDataBase64) },
    };
    const result = await regradeSubmission(tf, tampered, { bundle: tinyBundle, testDataset: dataset });
    expect(result.flags.map((f) => f.code)).toEqual(['model-hash', 'report-mismatch']);
    expect(result.flags[0].message).toMatch(
      /^the model's weights do not match their SHA-256 \([0-9a-f]{12}, the file says [0-9a-f]{12}\): the weights were changed$/,
    );
    expect(result.report).not.toBeNull();
  });

  it('flags a model swapped with its hash, a changed report, and changed code', async () => {
    const other = tinyModel(3);
    const swapped = { ...submission, model: await serializeModel(tf, other) };
    other.dispose();
    const result = await regradeSubmission(tf, swapped, { bundle: tinyBundle, testDataset: dataset });
    expect(result.flags[0]).toEqual({
      code: 'model-hash',
      message: `the model shipped (${swapped.model.weightsSha256.slice(0, 12)}) is not the model the stored report graded (${submission.report.modelHash.slice(0, 12)})`,
    });

    const boasted = {
      ...submission,
      report: { ...submission.report, metrics: { ...submission.report.metrics, accuracy: 0.99 } },
    };
    const second = await regradeSubmission(tf, boasted, { bundle: tinyBundle, testDataset: dataset });
    expect(second.flags).toEqual([
      {
        code: 'report-mismatch',
        message: `the stored report differs from the re-grade: accuracy ${submission.report.metrics.accuracy.toFixed(4)} on re-grade, stored report says 0.9900`,
      },
    ]);

    const edited = { ...submission, code: `${submission.code}// later\n` };
    const third = await regradeSubmission(tf, edited, { bundle: tinyBundle, testDataset: dataset });
    expect(third.flags).toEqual([
      { code: 'code-hash', message: 'the code does not match its SHA-256: it was changed after the run' },
    ]);
  });

  it('flags a training submission that carries no model', async () => {
    const { model: _dropped, ...modelless } = submission;
    const result = await regradeSubmission(tf, modelless, { bundle: tinyBundle, testDataset: dataset });
    expect(result.report).toBeNull();
    expect(result.flags).toEqual([
      { code: 'model-unloadable', message: 'the submission carries no trained model' },
    ]);
  });

  it('flags a model tfjs cannot build', async () => {
    const broken = {
      ...submission,
      model: { ...submission.model!, modelTopology: { class_name: 'NoSuchModel' } },
    };
    const result = await regradeSubmission(tf, broken, { bundle: tinyBundle, testDataset: dataset });
    expect(result.report).toBeNull();
    expect(result.flags.map((f) => f.code)).toEqual(['model-unloadable']);
    expect(result.flags[0].message).toMatch(/^tfjs cannot rebuild the model: /);
  });

  it('grades on a private test without comparing accuracy across different data', async () => {
    const { dataset: other } = await tinyDataset(13);
    const result = await regradeSubmission(tf, submission, { bundle: tinyBundle, testDataset: other });
    expect(result.flags).toEqual([]);
    expect(result.report!.metrics.testCount).toBe(13);
    expect(result.report!.datasetHash).toBe(other.hash);
  });
});

describe('roster writers', () => {
  it('escape hostile names and notes in CSV and HTML', async () => {
    const hostile = (name: string) => ({
      ...submission,
      learner: { name },
      setTitle: '<img src=x onerror=alert(1)>',
    });
    const result = await regradeSubmission(tf, submission, { bundle: tinyBundle, testDataset: dataset });
    const rows = [
      rosterRow('a.cvsub.json', hostile('=HYPERLINK("http://evil","click")'), result, tinyBundle.exercise),
      rosterRow('b.cvsub.json', hostile('<script>alert("x")</script>'), result, tinyBundle.exercise),
      rosterRow('c.cvsub.json', hostile('Line\nbreak, "quoted"'), result, tinyBundle.exercise),
    ];
    const csv = rosterToCsv(rows);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'learner,set,exercise,result,regrade,metric,value,score,submitted_at,late,train_seconds,backend,flags,file,error,comment,reproduction',
    );
    expect(lines[1]).toBe(
      `"'=HYPERLINK(""http://evil"",""click"")",<img src=x onerror=alert(1)>,tiny-team,${rows[0].status},${rows[0].status},accuracy,` +
        `${rows[0].value!.toFixed(4)},${rows[0].score!.toFixed(1)},${submission.createdAt},,1.5,cpu,,a.cvsub.json,,,`,
    );
    expect(csv).toContain('"Line\nbreak, ""quoted"""');
    expect(csvCell('-1+1')).toBe("'-1+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('+1')).toBe("'+1");

    const html = rosterToHtml(rows, { title: '<b>Week 3</b>', generatedAt: '2025-06-02' });
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<title>&lt;b&gt;Week 3&lt;/b&gt;</title>');
    expect(html).toContain("default-src 'none'");

    const json = JSON.parse(rosterToJson(rows));
    expect(json.rows[1].learner).toBe('<script>alert("x")</script>');
    expect(json.rows[0].report.exerciseId).toBe('tiny-team');
  });
});
