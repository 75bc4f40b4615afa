/**
 * Every core in the CLI (src/cli/sandbox/node-sandbox.ts, packages/runtime/src/data-parallel): the
 * sandboxed child may start no thread, so its gradient helpers are worker threads of the CLI's own
 * process, each behind a pipe the child reads and writes blocking. `cv-lab grade` runs as a lead
 * runs it (a spawned process): an unseeded run splits its steps and says so, a seeded one trains on
 * one worker. The relay that serves the child's pipe trusts nothing the child writes: hostile frames
 * are answered with a failure, and no helper is started for them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relayStream, sharedMemoryLink } from '@cv-lab/runtime/data-parallel';
import { cvLab, repoRoot } from './run-cli';
import { nodeDataParallelHelpers } from '../../../src/cli/data-parallel/node-helpers';
import { readCatalog } from '../../../src/cli/catalog';
import { findExercise } from '../../../src/core/exercises/catalog';
import { runInSandbox } from '../../../src/cli/sandbox/run-in-sandbox';
import {
  CONFIGURE,
  CONTROL_BYTES,
  FAILED,
  INPUT_FLOATS,
  OP,
  STATE,
  STEP,
  WEIGHT_FLOATS,
} from '../../../packages/runtime/src/data-parallel/step-channel';

const fixtures = join(repoRoot, 'tests/fixtures/exercises');
const work = mkdtempSync(join(tmpdir(), 'cv-lab-parallel-'));

const learner = join(work, 'small-cnn.ts');
writeFileSync(
  learner,
  [
    "import type { Lab } from 'cv-lab';",
    'export default async function train(lab: Lab) {',
    '  const { tf } = lab;',
    "  const { train } = await lab.data.load('fashion-mnist', { limit: 2048 });",
    '  const model = tf.sequential({',
    '    layers: [',
    "      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),",
    '      tf.layers.maxPooling2d({ poolSize: 2 }),',
    '      tf.layers.flatten(),',
    "      tf.layers.dense({ units: 10, activation: 'softmax' }),",
    '    ],',
    '  });',
    "  model.compile({ optimizer: tf.train.adam(0.003), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });",
    '  await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 64, callbacks: lab.callbacks() });',
    '  // Compiled again at a lower rate: the helpers rebuild the model for the new trainable list.',
    "  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });",
    '  await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 64, callbacks: lab.callbacks() });',
    '  return model;',
    '}',
  ].join('\n'),
);

const grade = (...extra: string[]) =>
  cvLab(['grade', '--exercises', fixtures, '--exercise', 'quick-fashion', '--code', learner, ...extra], {
    cwd: work,
  });

const workers = nodeDataParallelHelpers() + 1;

describe.runIf(workers > 1)('cv-lab grade on every core', () => {
  it('splits an unseeded run’s steps with helpers in the CLI’s process, and grades the model', async () => {
    const result = await grade();
    expect(result.stderr).toContain(`Training steps are split across ${workers} WASM workers, one per core`);
    // 2,048 images in batches of 64, two fits of one epoch: every step split (the helper starts at
    // the first, and rebuilds the model for the second fit).
    expect(result.stderr).toContain(`64 of 64 training steps were split across ${workers} workers`);
    expect(result.stderr).not.toMatch(/Training on one thread/);
    expect(result.stdout).toMatch(/Test accuracy at least 0\.7: test accuracy 0\.\d+/);
  }, 180_000);

  it('trains a seeded run on one worker, so its weights are the same on any machine', async () => {
    const first = await grade('--seed', '4');
    const second = await grade('--seed', '4');
    expect(first.stderr).toContain(
      `Training on one WASM worker of ${workers}: a seeded run gives the same weights on any machine`,
    );
    expect(first.stderr).not.toMatch(/training steps were split/);
    const hash = (output: string) => /weights sha256 (\w+)/.exec(output)?.[1];
    expect(hash(first.stdout)).toBeDefined();
    expect(hash(first.stdout)).toBe(hash(second.stdout));
  }, 180_000);
});

describe.runIf(workers > 1)('a helper’s share of memory', () => {
  it('a model larger than the share is refused before the helper builds it; the run trains on one thread', async () => {
    const bundle = findExercise(await readCatalog(fixtures), 'quick-fashion')!;
    const code = [
      "import type { Lab } from 'cv-lab';",
      'export default async function train(lab: Lab) {',
      '  const { tf } = lab;',
      "  const { train } = await lab.data.load('fashion-mnist', { limit: 512 });",
      '  const model = tf.sequential({',
      '    layers: [',
      '      tf.layers.flatten({ inputShape: [28, 28, 1] }),',
      "      tf.layers.dense({ units: 128, activation: 'relu' }),",
      "      tf.layers.dense({ units: 10, activation: 'softmax' }),",
      '    ],',
      '  });',
      "  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });",
      '  await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 64 });',
      '  return model;',
      '}',
    ].join('\n');
    const logs: string[] = [];
    const outcome = await runInSandbox(
      { bundle, code, backend: 'wasm', timeLimitSeconds: 120 },
      {
        onEvent: (event) => (event.type === 'log' ? logs.push(event.message) : undefined),
        onOutput: () => undefined,
        // 101,770 weights need about 1.2 MB in a helper: a share of 1 MB refuses them.
        helperMemoryBytes: 2 ** 20,
      },
    );
    expect(logs).toContain(
      "Training on one thread: a helper could not rebuild the model (the model's 101,770 weights need more than this helper's share of memory (1 MB)).",
    );
    expect(logs).toContain(`0 of 8 training steps were split across ${workers} workers`);
    expect(outcome.ok).toBe(true);
  }, 120_000);
});

describe.runIf(workers > 1)('learner code against the helpers', () => {
  it('a topology that lies about the model is refused by the helper; the run trains on one thread and is graded', async () => {
    const bundle = findExercise(await readCatalog(fixtures), 'quick-fashion')!;
    // The attacker's aim: make the helper in the lead's process build a far larger model than
    // the weights it declares (the share of memory is checked against those), by patching
    // `toJSON`, which the split serializes the model with.
    const code = [
      "import type { Lab } from 'cv-lab';",
      'export default async function train(lab: Lab) {',
      '  const { tf } = lab;',
      "  const { train } = await lab.data.load('fashion-mnist', { limit: 256 });",
      '  const layers = (units: number) => [',
      '    tf.layers.flatten({ inputShape: [28, 28, 1] }),',
      "    tf.layers.dense({ units, activation: 'relu' }),",
      "    tf.layers.dense({ units: 10, activation: 'softmax' }),",
      '  ];',
      '  const model = tf.sequential({ layers: layers(16) });',
      '  const large = tf.sequential({ layers: layers(2048) }).toJSON(null, false);',
      '  const proto = tf.LayersModel.prototype as unknown as { toJSON: unknown };',
      '  const honest = proto.toJSON;',
      '  proto.toJSON = () => large;',
      "  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });",
      '  try {',
      '    await model.fit(train.xs, train.ys, { epochs: 1, batchSize: 64 });',
      '  } finally {',
      '    proto.toJSON = honest;',
      '  }',
      '  return model;',
      '}',
    ].join('\n');
    const logs: string[] = [];
    const outcome = await runInSandbox(
      { bundle, code, backend: 'wasm', timeLimitSeconds: 120 },
      {
        onEvent: (event) => (event.type === 'log' ? logs.push(event.message) : undefined),
        onOutput: () => undefined,
      },
    );
    expect(logs).toContain(
      'Training on one thread: a helper could not rebuild the model (the rebuilt model has other weights than the learner’s).',
    );
    expect(logs).toContain(`0 of 4 training steps were split across ${workers} workers`);
    expect(outcome.ok).toBe(true);
  }, 120_000);
});

/** A relay on a fake stream: frames in, answers out. */
function fakeRelay(maxFrameBytes = 1 << 20) {
  let deliver: (chunk: Uint8Array) => void = () => undefined;
  const answers: Uint8Array[] = [];
  let helpersStarted = 0;
  const relay = relayStream(
    { onData: (listener) => (deliver = listener), write: (bytes) => answers.push(bytes) },
    () => {
      helpersStarted++;
      return sharedMemoryLink(
        () => undefined,
        new Promise(() => undefined),
        () => undefined,
      );
    },
    { maxFrameBytes, timeoutMs: 1000 },
  );
  const frame = (control: Partial<Record<number, number>>, restBytes = 0, declared?: number) => {
    const body = new Uint8Array(CONTROL_BYTES + restBytes);
    const words = new Int32Array(body.buffer, 0, CONTROL_BYTES / 4);
    for (const [index, value] of Object.entries(control)) words[Number(index)] = value as number;
    const out = new Uint8Array(4 + body.length);
    new DataView(out.buffer).setUint32(0, declared ?? body.length, true);
    out.set(body, 4);
    return out;
  };
  const failures = async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return answers.map((answer) => {
      const words = new Int32Array(answer.slice(4, 4 + CONTROL_BYTES).buffer);
      expect(words[STATE]).toBe(FAILED);
      return new TextDecoder().decode(answer.slice(4 + CONTROL_BYTES));
    });
  };
  return {
    deliver: (bytes: Uint8Array) => deliver(bytes),
    frame,
    failures,
    relay,
    started: () => helpersStarted,
  };
}

describe('the relay, against frames the child should never write', () => {
  it('refuses a frame longer than its limit, before reading it, and reads no more', async () => {
    const relay = fakeRelay(1 << 20);
    relay.deliver(relay.frame({ [OP]: STEP }, 0, 2 ** 31));
    relay.deliver(relay.frame({ [OP]: CONFIGURE }));
    expect(await relay.failures()).toEqual([`a job of ${2 ** 31} bytes: at most ${1 << 20}`]);
    expect(relay.started()).toBe(0);
  });

  it('answers an unknown operation, negative sizes and sizes that do not add up with a failure', async () => {
    const relay = fakeRelay();
    relay.deliver(relay.frame({ [OP]: 99 }));
    relay.deliver(relay.frame({ [OP]: STEP, [WEIGHT_FLOATS]: -4, [INPUT_FLOATS]: 8 }, 16));
    relay.deliver(relay.frame({ [OP]: STEP, [WEIGHT_FLOATS]: 1000 }, 16));
    // Split across chunks, as a pipe delivers it.
    const split = relay.frame({ [OP]: STEP, [INPUT_FLOATS]: 3 }, 8);
    relay.deliver(split.subarray(0, 7));
    relay.deliver(split.subarray(7));
    expect(await relay.failures()).toEqual([
      'an unknown operation (99)',
      'a job with a negative size',
      'a job whose sizes do not add up',
      'a job whose sizes do not add up',
    ]);
    expect(relay.started()).toBe(0);
  });
});
