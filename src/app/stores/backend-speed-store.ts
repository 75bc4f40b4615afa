/**
 * The measured speed of each backend on this device (packages/runtime/src/backend-speed.ts), kept
 * in this origin's localStorage (trusted page side: the sandbox that runs learner code has no
 * storage) under a key of the user agent and the GPU adapters, so a browser update or another GPU measures
 * again. The lab worker measures (LabWorkerApi.measureBackends); the automatic choice of a run
 * is the ranking of these figures, passed in the run request as `backendOrder`.
 */
import { create } from 'zustand';
import {
  type BackendName,
  type BackendPreference,
  keepMeasurement,
  parseSpeedCache,
  rankBackends,
  type BackendRanking,
  type SpeedCache,
  type SpeedMeasurement,
  deviceKey,
} from '@cv-lab/runtime';
import { errorMessage } from '../../core/shared/errors';
import type { SpeedSource } from '../run/lab-runner';
import type { BackendFault } from '../../core/sandbox/backend-health';
import type { ExerciseCard } from '../../core/exercises/schema';
import type { RunEvent } from '../../core/sandbox/events';
import type { RunRequest } from '../../core/sandbox/run-types';

/** The page's backends in the environment's own order (the lab worker's `browserBackends`). */
/**
 * The backends learner code can train on in the page. Not WebGPU: learner code runs in a worker of
 * an opaque-origin frame (docs/sandbox.md), which Chromium does not count as a secure context, so it
 * has no `navigator.gpu` (the frame's document has one, the worker not). The lab worker still
 * measures WebGPU, and Settings shows why it is left out.
 */
export const pageBackends: BackendName[] = ['webgl', 'wasm', 'cpu'];

export const SPEED_STORAGE_KEY = 'cv-lab.backend-speed';

export interface BackendSpeedState {
  /** This device's figures; null until measured (or read). */
  current: SpeedMeasurement | null;
  measuring: boolean;
  error: string | null;
  /**
   * This device's figures: the kept ones, or measured now when there are none (`'kept-or-measure'`);
   * always measured (`'measure'`, Settings' "Measure again"); or only the kept ones (`'kept-only'`).
   * Resolves with null when there are none or measuring failed (a run then keeps the usual order).
   */
  ensure(
    source: SpeedSource,
    inputShape: [number, number, number],
    mode?: 'kept-or-measure' | 'measure' | 'kept-only',
  ): Promise<SpeedMeasurement | null>;
}

function readCache(): SpeedCache {
  try {
    return parseSpeedCache(JSON.parse(localStorage.getItem(SPEED_STORAGE_KEY) ?? '{}'));
  } catch {
    return {};
  }
}

function writeCache(cache: SpeedCache): void {
  try {
    localStorage.setItem(SPEED_STORAGE_KEY, JSON.stringify(cache));
  } catch {
    // Full or blocked storage: the figures serve this page only.
  }
}

export const useBackendSpeedStore = create<BackendSpeedState>()((set, get) => {
  let inFlight: Promise<SpeedMeasurement | null> | null = null;
  let inFlightMode: string | null = null;
  return {
    current: null,
    measuring: false,
    error: null,
    ensure(source, inputShape, mode = 'kept-or-measure') {
      if (inFlight && inFlightMode === mode) return inFlight;
      if (inFlight) return inFlight.then(() => get().ensure(source, inputShape, mode));
      inFlightMode = mode;
      inFlight = (async () => {
        try {
          const key = deviceKey(await source.deviceFacts());
          const kept = readCache()[key];
          if (kept && mode !== 'measure') {
            set({ current: kept, error: null });
            return kept;
          }
          if (mode === 'kept-only') return null;
          set({ measuring: true, error: null });
          const measured = await source.measureBackends(inputShape);
          writeCache(keepMeasurement(readCache(), measured));
          set({ current: measured, measuring: false });
          return measured;
        } catch (error) {
          set({ measuring: false, error: errorMessage(error) });
          return get().current;
        } finally {
          inFlight = null;
        }
      })();
      return inFlight;
    },
  };
});

/** The ranking a run on this device uses, from the figures at hand (none: the environment's order). */
export function currentRanking(preference: BackendPreference): BackendRanking | null {
  const current = useBackendSpeedStore.getState().current;
  return current ? rankBackends(current.trials, preference, pageBackends) : null;
}

/** One line per backend for a log or a tooltip: `wasm 1510 img/s (chosen: fastest measured)`. */
export function describeTrials(measurement: SpeedMeasurement, ranking: BackendRanking): string[] {
  return measurement.trials.map((trial) => {
    const speed = trial.ok ? `${formatSpeed(trial.imagesPerSecond!)} img/s` : 'failed';
    const soft = trial.software ? ', software' : '';
    const role =
      trial.backend === ranking.chosen ? 'chosen' : trial.backend === ranking.runnerUp ? 'runner-up' : '';
    return `${trial.backend} ${speed}${soft} (${[role, ranking.why[trial.backend]].filter(Boolean).join(': ')})`;
  });
}

export function formatSpeed(imagesPerSecond: number): string {
  return imagesPerSecond >= 100 ? String(Math.round(imagesPerSecond)) : imagesPerSecond.toFixed(1);
}

/** The shape the timed network trains on: the exercise's input, or Fashion-MNIST's. */
export function measuringShape(bundle: ExerciseCard): [number, number, number] {
  const shape = bundle.exercise.input?.shape;
  return shape?.length === 3 ? [shape[0], shape[1], shape[2]] : [28, 28, 1];
}

/**
 * The order an automatic run tries backends in: this device's measured ranking (measured now when
 * none is kept, with a line in the run's log). A pinned backend is not measured for: it comes
 * first, then the kept figures' order, or without any the environment's order (undefined); nor are
 * function exercises and quizzes.
 */
export async function orderForRun(
  source: SpeedSource,
  request: RunRequest,
  onEvent: (event: RunEvent) => void,
): Promise<BackendName[] | undefined> {
  const store = useBackendSpeedStore.getState();
  const { kind } = request.bundle.exercise;
  if (kind === 'quiz') return undefined;
  if (request.backend !== 'auto' || kind === 'function') {
    // The pin comes first; behind it, the kept figures' order, if this device has any. A function
    // exercise's few small calls are not worth measuring for: kept figures, or the usual order.
    const kept = await store.ensure(source, measuringShape(request.bundle), 'kept-only');
    return kept ? rankBackends(kept.trials, request.backend, pageBackends).order : undefined;
  }
  const known = store.current;
  if (!known) {
    onEvent({
      type: 'phase',
      phase: 'backend',
      message: 'Measuring the speed of each backend (once per device and browser version)',
    });
  }
  const measurement = await store.ensure(source, measuringShape(request.bundle));
  if (!measurement) {
    const why = useBackendSpeedStore.getState().error ?? 'no figures';
    onEvent({
      type: 'log',
      level: 'warn',
      message: `Measuring backends failed (${why}); trying them in the usual order`,
    });
    return undefined;
  }
  const ranking = rankBackends(measurement.trials, 'auto', pageBackends);
  if (measurement !== known) {
    onEvent({
      type: 'log',
      level: 'info',
      message: `Backends measured: ${describeTrials(measurement, ranking).join('; ')}`,
    });
  }
  return ranking.order.length ? ranking.order : undefined;
}

/**
 * The key in the page's localStorage that turns the test hooks on (`'1'`). A link cannot set it, so
 * a shared address with `?backend-fault=` does nothing to a learner's runs; the Chromium tests set it.
 */
export const TEST_HOOKS_KEY = 'cv-lab:test-hooks';

/**
 * The test hook of `?backend-fault=<backend>:<nan|device-lost>` in the page's address (before or
 * inside the hash): that backend breaks once learner code starts, to show the fallback. Honoured
 * only where `hooksOn` (the page: localStorage's `TEST_HOOKS_KEY` is `'1'`).
 */
export function backendFaultFromUrl(href: string, hooksOn = testHooksOn()): BackendFault | undefined {
  if (!hooksOn) return undefined;
  const match = /[?&]backend-fault=(webgpu|webgl|wasm|cpu):(nan|device-lost)(?:&|#|$)/.exec(href);
  return match ? { backend: match[1] as BackendName, fault: match[2] as BackendFault['fault'] } : undefined;
}

function testHooksOn(): boolean {
  try {
    return globalThis.localStorage?.getItem(TEST_HOOKS_KEY) === '1';
  } catch {
    return false;
  }
}
