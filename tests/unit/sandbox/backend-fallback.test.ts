/**
 * No silent breakage (src/core/sandbox/backend-health.ts): a backend that starts returning NaN or
 * loses its device during a run is dropped with a message, the run restarts on the next backend,
 * and the grade comes from that one. Node's WASM and CPU backends, the real Fashion-MNIST.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { runExercise } from '../../../src/core/sandbox/run';
import type { RunEvent } from '../../../src/core/sandbox/events';
import type { ExerciseBundle } from '../../../src/core/exercises/schema';
import type { BackendName } from '@cv-lab/runtime';
import { clearInjectedFaults, type BackendFault } from '../../../src/core/sandbox/backend-health';
import { readCatalog } from '../../../src/cli/catalog';
import { findExercise } from '../../../src/core/exercises/catalog';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { datasetFolder, fsDatasetReader } from '../../../src/cli/datasets/fs-reader';

let bundle: ExerciseBundle;

beforeAll(async () => {
  await initNodeBackend('wasm');
  const catalog = await readCatalog(
    join(resolve(import.meta.dirname, '../../..'), 'tests/fixtures/exercises'),
  );
  bundle = findExercise(catalog, 'quick-fashion')!;
});

afterEach(clearInjectedFaults);

const code = [
  "import type { Lab } from 'cv-lab';",
  'export default async function train(lab: Lab) {',
  '  const { tf } = lab;',
  "  const { train } = await lab.data.load('fashion-mnist', { limit: 500 });",
  '  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }),',
  "    tf.layers.dense({ units: 10, activation: 'softmax' })] });",
  "  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });",
  '  await model.fit(train.xs, train.ys, { epochs: 2, batchSize: 100, callbacks: lab.callbacks() });',
  '  return model;',
  '}',
].join('\n');

async function run(backendFault: BackendFault | undefined, backendOrder: BackendName[] = ['wasm', 'cpu']) {
  const events: RunEvent[] = [];
  const outcome = await runExercise(
    {
      bundle,
      code,
      backend: 'auto',
      backendOrder,
      ...(backendFault ? { backendFault } : {}),
    },
    {
      tf,
      datasetReader: (id) => fsDatasetReader(datasetFolder(id)),
      onEvent: (e) => events.push(e),
      candidateBackends: ['wasm', 'cpu'],
    },
  );
  const warnings = events.flatMap((e) => (e.type === 'log' && e.level === 'warn' ? [e.message] : []));
  return { outcome, events, warnings };
}

describe('a backend that breaks during the run', () => {
  it('returning NaN: dropped with a message, the run restarts on the next and is graded there', async () => {
    const { outcome, events, warnings } = await run({ backend: 'wasm', fault: 'nan' });
    expect(
      warnings.some((w) => /^Wasm gives results the CPU backend does not .*; continuing on cpu$/.test(w)),
    ).toBe(true);
    expect(outcome.ok).toBe(true);
    expect(outcome.backend).toBe('cpu');
    expect(outcome.report?.backend).toBe('cpu');
    expect(outcome.report?.metrics.accuracy).toBeGreaterThan(0.3);
    const backends = events.filter((e) => e.type === 'backend');
    expect(backends.map((e) => (e as { backend: string }).backend)).toEqual(['wasm', 'cpu']);
    expect(backends.at(-1)).toMatchObject({
      tried: [
        { backend: 'wasm', ok: true },
        { backend: 'wasm', ok: false, reason: expect.stringMatching(/^dropped during the run/) },
        { backend: 'cpu', ok: true },
      ],
    });
    // No error event from the dropped attempt reaches the host.
    expect(events.some((e) => e.type === 'error')).toBe(false);
  });

  it('losing its device (a mapAsync AbortError): "the GPU device was lost; continuing on cpu"', async () => {
    const { outcome, warnings } = await run({ backend: 'wasm', fault: 'device-lost' });
    expect(
      warnings.some((w) => /^The GPU device was lost \(.*mapAsync.*\); continuing on cpu$/.test(w)),
    ).toBe(true);
    expect(outcome.ok).toBe(true);
    expect(outcome.report?.backend).toBe('cpu');
  });

  it('with no backend left, the run fails with the reason instead of a grade', async () => {
    const { outcome } = await run({ backend: 'wasm', fault: 'nan' }, ['wasm']);
    expect(outcome.ok).toBe(false);
    expect(outcome.error?.message).toMatch(/no other backend is left/);
  });

  it('a healthy backend trains and grades as before', async () => {
    const { outcome, warnings } = await run(undefined);
    expect(outcome.ok).toBe(true);
    expect(outcome.report?.backend).toBe('wasm');
    expect(warnings).toEqual([]);
  });
});
