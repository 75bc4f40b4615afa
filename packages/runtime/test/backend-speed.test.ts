/**
 * The automatic backend choice by measured speed (src/backend-speed.ts), with the probe
 * and the timing faked, and the correctness probe against the CPU backend (backend.ts) on Node's
 * real backends.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  deviceKey,
  isSoftwareRenderer,
  keepMeasurement,
  measureBackends,
  parseSpeedCache,
  rankBackends,
  type DeviceFacts,
  type SpeedMeasurement,
} from '../src/backend-speed';
import {
  compareProbeSteps,
  isBackendLossError,
  probeBackend,
  probeTrainingStep,
  type BackendName,
} from '../src/backend';
import { timeTrainingSteps } from '../src/backend-timing';
import { initNodeBackend } from '../src/node-backend';

const all: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** Fake deps: images per second by backend, a probe failure by backend, a timing that throws. */
function fakes(
  speeds: Partial<Record<BackendName, number>>,
  broken: Partial<Record<BackendName, string>> = {},
) {
  return {
    probe: async (b: BackendName) => broken[b] ?? null,
    time: async (b: BackendName) => {
      const speed = speeds[b];
      if (speed === undefined) throw new Error(`${b} lost its device`);
      return { images: speed * 2, seconds: 2 };
    },
  };
}

describe('measureBackends and rankBackends', () => {
  it('puts the fastest measured backend first, whatever the environment order says', async () => {
    const trials = await measureBackends(all, fakes({ webgpu: 4, webgl: 26, wasm: 1500, cpu: 40 }));
    expect(trials.map((t) => [t.backend, t.imagesPerSecond])).toEqual([
      ['webgpu', 4],
      ['webgl', 26],
      ['wasm', 1500],
      ['cpu', 40],
    ]);
    const ranking = rankBackends(trials, 'auto', all);
    expect(ranking.order).toEqual(['wasm', 'cpu', 'webgl', 'webgpu']);
    expect(ranking.chosen).toBe('wasm');
    expect(ranking.runnerUp).toBe('cpu');
    expect(ranking.why.wasm).toBe('fastest measured');
    expect(ranking.why.webgl).toBe('58x slower than wasm');
  });

  it('leaves out a backend whose probe failed, whose timing threw or gave NaN', async () => {
    const deps = fakes(
      { webgpu: 9000, webgl: Number.NaN, cpu: 40 },
      { webgpu: 'differs from the CPU backend' },
    );
    const trials = await measureBackends(all, deps);
    expect(trials.filter((t) => !t.ok).map((t) => t.backend)).toEqual(['webgpu', 'webgl', 'wasm']);
    expect(trials.find((t) => t.backend === 'wasm')?.reason).toMatch(/lost its device/);
    const ranking = rankBackends(trials, 'auto', all);
    expect(ranking.order).toEqual(['cpu']);
    expect(ranking.runnerUp).toBeNull();
    expect(ranking.why.webgpu).toBe('excluded: differs from the CPU backend');
    expect(ranking.why.webgl).toBe('excluded: the timed steps gave no speed');
  });

  it('a pinned backend wins, even over a faster one', async () => {
    const trials = await measureBackends(all, fakes({ webgpu: 4, webgl: 26, wasm: 1500, cpu: 40 }));
    const ranking = rankBackends(trials, 'webgl', all);
    expect(ranking.chosen).toBe('webgl');
    expect(ranking.runnerUp).toBe('wasm');
    expect(ranking.order).toEqual(['webgl', 'wasm', 'cpu', 'webgpu']);
    expect(ranking.why.webgl).toBe('pinned in Settings');
  });

  it('a backend learner code cannot use here is measured but never chosen, and says why', async () => {
    const trials = await measureBackends(all, fakes({ webgpu: 9000, webgl: 26, wasm: 1500, cpu: 40 }));
    const ranking = rankBackends(trials, 'auto', ['webgl', 'wasm', 'cpu']);
    expect(ranking.chosen).toBe('wasm');
    expect(ranking.order).toEqual(['wasm', 'cpu', 'webgl']);
    expect(ranking.why.webgpu).toBe('excluded: learner code cannot run on it here');
  });

  it('flags software adapters and ranks them by speed like any other', async () => {
    const facts: DeviceFacts = {
      userAgent: 'Chrome/156',
      webgpu: { description: 'SwiftShader Device (Subzero)', software: true },
      webgl: {
        renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)',
        software: true,
      },
    };
    expect(isSoftwareRenderer(facts.webgl!.renderer)).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11)')).toBe(false);
    const trials = await measureBackends(all, {
      ...fakes({ webgpu: 5000, webgl: 26, wasm: 1500, cpu: 40 }),
      software: (b) =>
        b === 'webgpu' ? facts.webgpu!.software : b === 'webgl' ? facts.webgl!.software : false,
    });
    const ranking = rankBackends(trials, 'auto', all);
    // A (hypothetically) fast software adapter still wins: speed decides, not the label.
    expect(ranking.chosen).toBe('webgpu');
    expect(ranking.why.webgpu).toBe('fastest measured (software adapter)');
    expect(trials.find((t) => t.backend === 'webgl')?.software).toBe(true);
  });

  it('without any figure keeps the environment order', () => {
    expect(rankBackends([], 'auto', all).order).toEqual(all);
  });
});

describe('kept figures', () => {
  const facts = (userAgent: string, renderer = 'SwiftShader'): DeviceFacts => ({
    userAgent,
    webgpu: null,
    webgl: { renderer, software: true },
  });
  const measurement = (f: DeviceFacts, at = '2026-12-03T16:00:00.000Z'): SpeedMeasurement => ({
    key: deviceKey(f),
    measuredAt: at,
    inputShape: [28, 28, 1],
    facts: f,
    trials: [{ backend: 'wasm', ok: true, imagesPerSecond: 1500 }],
  });

  it('are keyed per browser version and adapter', () => {
    const a = measurement(facts('Chrome/156'));
    const cache = keepMeasurement({}, a);
    expect(cache[deviceKey(facts('Chrome/156'))]).toEqual(a);
    expect(cache[deviceKey(facts('Chrome/157'))]).toBeUndefined();
    expect(cache[deviceKey(facts('Chrome/156', 'NVIDIA GeForce'))]).toBeUndefined();
    const again = keepMeasurement(cache, measurement(facts('Chrome/156'), '2026-12-04T00:00:00.000Z'));
    expect(Object.keys(again)).toHaveLength(1);
    expect(again[a.key].measuredAt).toBe('2026-12-04T00:00:00.000Z');
  });

  it('are validated on read: malformed entries and keys that do not match are dropped', () => {
    const good = measurement(facts('Chrome/156'));
    const parsed = parseSpeedCache({
      [good.key]: good,
      other: { ...good },
      bad: { ...good, key: 'bad', trials: [{ backend: 'gpu', ok: true }] },
    });
    expect(Object.keys(parsed)).toEqual([good.key]);
    expect(parseSpeedCache('not json')).toEqual({});
    expect(parseSpeedCache([1, 2])).toEqual({});
  });

  it('keep at most eight devices, the most recent', () => {
    let cache = {};
    for (let i = 0; i < 10; i++) {
      cache = keepMeasurement(cache, measurement(facts(`UA ${i}`), `2026-12-0${i < 9 ? 1 : 2}T0${i}:00:00Z`));
    }
    expect(Object.keys(cache)).toHaveLength(8);
    expect(Object.keys(cache)).not.toContain(deviceKey(facts('UA 0')));
  });
});

describe('the correctness probe', () => {
  it('passes WASM against the CPU backend, and fails a step with zeros or NaN', async () => {
    await initNodeBackend('wasm');
    expect(await probeBackend(tf, 'wasm')).toBeNull();
    await tf.setBackend('cpu');
    const reference = await probeTrainingStep(tf);
    expect(reference.grads).toHaveLength(4);
    expect(reference.grads.every((g) => g.some((v) => v !== 0))).toBe(true);
    expect(compareProbeSteps(reference, reference)).toBeNull();
    const zeros = { loss: 0, grads: reference.grads.map((g) => new Float32Array(g.length)) };
    expect(compareProbeSteps(zeros, reference)).toMatch(/^loss 0 against/);
    const nanGrad = { loss: reference.loss, grads: reference.grads.map((g) => g.map(() => Number.NaN)) };
    expect(compareProbeSteps(nanGrad, reference)).toMatch(/conv gradient's value 0 is NaN/);
  });

  it('times real training steps', async () => {
    await initNodeBackend('wasm');
    const timed = await timeTrainingSteps(tf, {
      inputShape: [28, 28, 1],
      budgetSeconds: 0.2,
      now: () => performance.now(),
    });
    expect(timed.images % 16).toBe(0);
    expect(timed.images).toBeGreaterThan(0);
    expect(timed.seconds).toBeGreaterThan(0);
  });

  it('tells a lost GPU device from a learner error', () => {
    const abort = new Error(
      "Failed to execute 'mapAsync' on 'GPUBuffer': A valid external Instance reference no longer exists.",
    );
    abort.name = 'AbortError';
    expect(isBackendLossError(abort)).toBe(true);
    expect(isBackendLossError(new Error('The GPU device was lost (destroyed)'))).toBe(true);
    expect(isBackendLossError(new Error('WebGL context lost'))).toBe(true);
    expect(isBackendLossError(new Error('Cannot read properties of undefined'))).toBe(false);
  });
});
