/**
 * The page's side of the automatic backend choice: figures measured once per device and kept in
 * localStorage, the order a run asks for, the pin, and the `?backend-fault=` test hook.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  backendFaultFromUrl,
  TEST_HOOKS_KEY,
  orderForRun,
  SPEED_STORAGE_KEY,
  useBackendSpeedStore,
} from '../../../src/app/stores/backend-speed-store';
import type { SpeedSource } from '../../../src/app/run/lab-runner';
import { deviceKey, type DeviceFacts, type SpeedMeasurement } from '@cv-lab/runtime';
import type { ExerciseBundle } from '../../../src/core/exercises/schema';
import type { RunEvent } from '../../../src/core/sandbox/events';

class MemoryStorage {
  private items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  clear() {
    this.items.clear();
  }
}
const storage = new MemoryStorage();
(globalThis as { localStorage?: unknown }).localStorage = storage;

const facts = (userAgent: string): DeviceFacts => ({
  userAgent,
  webgpu: null,
  webgl: { renderer: 'SwiftShader', software: true },
});

function fakeSource(userAgent = 'Chrome/156') {
  const source = {
    measured: 0,
    deviceFacts: async () => facts(userAgent),
    measureBackends: async (inputShape: [number, number, number]): Promise<SpeedMeasurement> => {
      source.measured++;
      return {
        key: deviceKey(facts(userAgent)),
        measuredAt: new Date(2026, 11, 3, 16, source.measured).toISOString(),
        inputShape,
        facts: facts(userAgent),
        trials: [
          { backend: 'webgpu', ok: false, reason: 'could not initialise (no adapter or context)' },
          { backend: 'webgl', ok: true, imagesPerSecond: 300, software: true },
          { backend: 'wasm', ok: true, imagesPerSecond: 5000 },
          { backend: 'cpu', ok: true, imagesPerSecond: 200 },
        ],
      };
    },
  };
  return source satisfies SpeedSource;
}

const bundle = (kind: 'train' | 'function' | 'quiz', shape = [28, 28, 1]) =>
  ({ exercise: { id: 'x', kind, input: { shape } } }) as unknown as ExerciseBundle;

beforeEach(() => {
  storage.clear();
  useBackendSpeedStore.setState({ current: null, measuring: false, error: null });
});

describe('orderForRun', () => {
  it('measures on the first automatic run, keeps the figures, and reuses them', async () => {
    const source = fakeSource();
    const events: RunEvent[] = [];
    const order = await orderForRun(
      source,
      { bundle: bundle('train', [32, 32, 3]), code: '', backend: 'auto' },
      (e) => events.push(e),
    );
    expect(order).toEqual(['wasm', 'webgl', 'cpu']);
    expect(source.measured).toBe(1);
    expect(events[0]).toMatchObject({ type: 'phase', phase: 'backend' });
    expect(events.at(-1)).toMatchObject({
      type: 'log',
      message: expect.stringContaining('wasm 5000 img/s (chosen'),
    });
    const kept = JSON.parse(storage.getItem(SPEED_STORAGE_KEY)!);
    expect(Object.keys(kept)).toEqual([deviceKey(facts('Chrome/156'))]);
    expect(kept[deviceKey(facts('Chrome/156'))].inputShape).toEqual([32, 32, 3]);

    // The next run, even after a reload (a fresh store), reads them back without measuring.
    useBackendSpeedStore.setState({ current: null });
    expect(
      await orderForRun(source, { bundle: bundle('train'), code: '', backend: 'auto' }, () => {}),
    ).toEqual(['wasm', 'webgl', 'cpu']);
    expect(source.measured).toBe(1);
  });

  it('measures again for another browser version', async () => {
    await orderForRun(
      fakeSource('Chrome/156'),
      { bundle: bundle('train'), code: '', backend: 'auto' },
      () => {},
    );
    useBackendSpeedStore.setState({ current: null });
    const newer = fakeSource('Chrome/157');
    await orderForRun(newer, { bundle: bundle('train'), code: '', backend: 'auto' }, () => {});
    expect(newer.measured).toBe(1);
    expect(Object.keys(JSON.parse(storage.getItem(SPEED_STORAGE_KEY)!))).toHaveLength(2);
  });

  it('a pinned backend is not measured for; it comes first, the kept order behind it', async () => {
    const source = fakeSource();
    expect(
      await orderForRun(source, { bundle: bundle('train'), code: '', backend: 'webgl' }, () => {}),
    ).toBeUndefined();
    expect(source.measured).toBe(0);
    await orderForRun(source, { bundle: bundle('train'), code: '', backend: 'auto' }, () => {});
    expect(
      await orderForRun(source, { bundle: bundle('train'), code: '', backend: 'cpu' }, () => {}),
    ).toEqual(['cpu', 'wasm', 'webgl']);
  });

  it('quizzes and function exercises are not measured for', async () => {
    const source = fakeSource();
    expect(
      await orderForRun(source, { bundle: bundle('quiz'), code: '', backend: 'auto' }, () => {}),
    ).toBeUndefined();
    expect(
      await orderForRun(source, { bundle: bundle('function'), code: '', backend: 'auto' }, () => {}),
    ).toBeUndefined();
    expect(source.measured).toBe(0);
  });

  it('a measurement that fails leaves the usual order, with a warning', async () => {
    const source = { ...fakeSource(), measureBackends: () => Promise.reject(new Error('worker gone')) };
    const events: RunEvent[] = [];
    expect(
      await orderForRun(source, { bundle: bundle('train'), code: '', backend: 'auto' }, (e) =>
        events.push(e),
      ),
    ).toBeUndefined();
    expect(events.at(-1)).toMatchObject({
      type: 'log',
      level: 'warn',
      message: expect.stringContaining('worker gone'),
    });
  });
});

describe('backendFaultFromUrl', () => {
  it('reads the test hook before or inside the hash, and nothing else', () => {
    expect(backendFaultFromUrl('http://x/?backend-fault=wasm:nan#/exercise/a', true)).toEqual({
      backend: 'wasm',
      fault: 'nan',
    });
    expect(backendFaultFromUrl('http://x/#/exercise/a?backend-fault=webgpu:device-lost', true)).toEqual({
      backend: 'webgpu',
      fault: 'device-lost',
    });
    expect(backendFaultFromUrl('http://x/?backend-fault=gpu:nan', true)).toBeUndefined();
    expect(backendFaultFromUrl('http://x/#/exercise/a', true)).toBeUndefined();
  });

  it("is ignored unless the test hooks are on: a shared link cannot break a learner's backend", () => {
    expect(backendFaultFromUrl('http://x/?backend-fault=wasm:nan#/exercise/a', false)).toBeUndefined();
    // the page's default reads localStorage, which a link cannot set
    storage.clear();
    expect(backendFaultFromUrl('http://x/?backend-fault=wasm:nan#/exercise/a')).toBeUndefined();
    storage.setItem(TEST_HOOKS_KEY, '1');
    expect(backendFaultFromUrl('http://x/?backend-fault=wasm:nan#/exercise/a')).toEqual({
      backend: 'wasm',
      fault: 'nan',
    });
    storage.clear();
  });
});
