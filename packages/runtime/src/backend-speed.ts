/**
 * Choosing the backend by speed, not by what starts: each candidate that passes the correctness
 * probe (backend.ts) trains a few real steps of a small network on the exercise's input shape, and
 * the fastest comes first. Software adapters (SwiftShader, llvmpipe, a WebGPU fallback adapter)
 * are flagged and ranked by their measured speed like any other; without a GPU that puts WASM
 * first, 30 to 60 times faster than WebGL on SwiftShader (docs/benchmarks.md).
 *
 * Pure: the probe and the timing are handed in (the page's lab worker runs them on its tfjs,
 * backend-timing.ts; tests pass fakes). The figures are kept per device and browser
 * (`deviceKey`: the user agent, the WebGPU adapter and the WebGL renderer), by the page, in
 * trusted storage: the sandbox that runs learner code has none.
 */
import { z } from 'zod';
import type { BackendName, BackendPreference } from './backend';

/** What the browser says about its GPU adapters, read where the backends run. */
export interface DeviceFacts {
  userAgent: string;
  /** WebGPU's adapter (`adapter.info`), or null when there is none. */
  webgpu: { description: string; software: boolean } | null;
  /** WebGL's `UNMASKED_RENDERER_WEBGL` (or `RENDERER`), or null without WebGL 2. */
  webgl: { renderer: string; software: boolean } | null;
}

/** One backend's measurement: its speed, or why it cannot train. */
export interface SpeedTrial {
  backend: BackendName;
  ok: boolean;
  /** Training images per second over the timed steps (after one warm-up step). */
  imagesPerSecond?: number;
  /** Why it was excluded (a failed probe, a throw, no figure). */
  reason?: string;
  /** Runs on a software adapter or renderer (SwiftShader, llvmpipe, WebGPU's fallback adapter). */
  software?: boolean;
}

/** The figures of one device, as kept. */
export interface SpeedMeasurement {
  key: string;
  /** ISO date of the measurement. */
  measuredAt: string;
  /** The input shape the timed network trained on ([h, w, c]). */
  inputShape: number[];
  facts: DeviceFacts;
  trials: SpeedTrial[];
}

export interface BackendRanking {
  /** The backend the run asks for first; null when none can train. */
  chosen: BackendName | null;
  /** The one it falls back to first. */
  runnerUp: BackendName | null;
  /** Every backend to try, in order: the pinned one first, then the working ones fastest first. */
  order: BackendName[];
  /** Why each backend stands where it does, in a few words, by backend. */
  why: Partial<Record<BackendName, string>>;
}

const SOFTWARE = /swiftshader|llvmpipe|softpipe|lavapipe|software|basic render|warp/i;

/** Whether a renderer or adapter name is a software rasteriser. */
export function isSoftwareRenderer(name: string): boolean {
  return SOFTWARE.test(name);
}

/** The key figures are kept under: the browser (and its version) and both adapters. */
export function deviceKey(facts: DeviceFacts): string {
  return [
    facts.userAgent,
    `webgpu: ${facts.webgpu?.description ?? 'none'}`,
    `webgl: ${facts.webgl?.renderer ?? 'none'}`,
  ].join(' | ');
}

export interface MeasureDeps {
  /** Sets the backend up and runs the correctness probe: null when it trains correctly, else why not. */
  probe(backend: BackendName): Promise<string | null>;
  /** Trains a few timed steps on the backend (already set): images trained and seconds taken. */
  time(backend: BackendName): Promise<{ images: number; seconds: number }>;
  /** Whether the backend runs on a software adapter (from `DeviceFacts`). */
  software?(backend: BackendName): boolean;
  /** Called as each backend starts, for a progress line. */
  onBackend?(backend: BackendName): void;
}

/** Probes and times each candidate in turn; a backend that fails either is kept with its reason. */
export async function measureBackends(candidates: BackendName[], deps: MeasureDeps): Promise<SpeedTrial[]> {
  const trials: SpeedTrial[] = [];
  for (const backend of candidates) {
    deps.onBackend?.(backend);
    const software = deps.software?.(backend) ? { software: true } : {};
    let reason: string | null;
    try {
      reason = await deps.probe(backend);
    } catch (error) {
      reason = `probe failed: ${errorText(error)}`;
    }
    if (reason !== null) {
      trials.push({ backend, ok: false, reason, ...software });
      continue;
    }
    try {
      const { images, seconds } = await deps.time(backend);
      const imagesPerSecond = images / seconds;
      if (!(Number.isFinite(imagesPerSecond) && imagesPerSecond > 0)) {
        trials.push({ backend, ok: false, reason: 'the timed steps gave no speed', ...software });
      } else {
        trials.push({ backend, ok: true, imagesPerSecond, ...software });
      }
    } catch (error) {
      trials.push({ backend, ok: false, reason: `timed steps failed: ${errorText(error)}`, ...software });
    }
  }
  return trials;
}

/**
 * The order a run tries backends in. A pinned backend always comes first (the probe still skips it
 * when it cannot train); then every backend that measured correct, fastest first. Backends that
 * failed are left out; without any figure at all the environment's own order stands.
 */
export function rankBackends(
  trials: SpeedTrial[],
  preference: BackendPreference,
  candidates: BackendName[],
): BackendRanking {
  const why: Partial<Record<BackendName, string>> = {};
  const working = trials
    .filter((t) => t.ok && Number.isFinite(t.imagesPerSecond) && (t.imagesPerSecond ?? 0) > 0)
    .filter((t) => candidates.includes(t.backend))
    .sort((a, b) => b.imagesPerSecond! - a.imagesPerSecond!);
  for (const trial of trials) {
    if (working.includes(trial)) continue;
    why[trial.backend] = !candidates.includes(trial.backend)
      ? 'excluded: learner code cannot run on it here'
      : `excluded: ${trial.reason ?? 'no speed measured'}`;
  }
  let order = working.map((t) => t.backend);
  if (trials.length === 0) order = [...candidates];
  const fastest = working[0];
  working.forEach((trial, i) => {
    const soft = trial.software ? ' (software adapter)' : '';
    why[trial.backend] =
      i === 0
        ? `fastest measured${soft}`
        : `${formatRatio(fastest.imagesPerSecond! / trial.imagesPerSecond!)} slower than ${fastest.backend}${soft}`;
  });
  if (preference !== 'auto') {
    order = [preference, ...order.filter((b) => b !== preference)];
    why[preference] = 'pinned in Settings';
  }
  return { chosen: order[0] ?? null, runnerUp: order[1] ?? null, order, why };
}

function formatRatio(ratio: number): string {
  return ratio >= 10 ? `${Math.round(ratio)}x` : `${ratio.toFixed(1)}x`;
}

// ── Kept figures: validated on every read (they come from storage another tab may have written) ──

const BackendNameSchema = z.enum(['webgpu', 'webgl', 'wasm', 'cpu']);
const SpeedMeasurementSchema = z.object({
  key: z.string().max(2000),
  measuredAt: z.string().max(40),
  inputShape: z.array(z.number().int().positive()).max(4),
  facts: z.object({
    userAgent: z.string().max(1000),
    webgpu: z.object({ description: z.string().max(500), software: z.boolean() }).nullable(),
    webgl: z.object({ renderer: z.string().max(500), software: z.boolean() }).nullable(),
  }),
  trials: z
    .array(
      z.object({
        backend: BackendNameSchema,
        ok: z.boolean(),
        imagesPerSecond: z.number().positive().optional(),
        reason: z.string().max(2000).optional(),
        software: z.boolean().optional(),
      }),
    )
    .max(8),
});

/** Every device's figures, by `deviceKey`. */
export type SpeedCache = Record<string, SpeedMeasurement>;

/** The most devices kept (a browser update is a new device): the most recent ones stay. */
export const MAX_KEPT_DEVICES = 8;

/** Reads kept figures: anything malformed is dropped, entry by entry. */
export function parseSpeedCache(raw: unknown): SpeedCache {
  const cache: SpeedCache = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return cache;
  for (const [key, value] of Object.entries(raw)) {
    const parsed = SpeedMeasurementSchema.safeParse(value);
    if (parsed.success && parsed.data.key === key) cache[key] = parsed.data as SpeedMeasurement;
  }
  return cache;
}

/** The cache with `measurement` kept under its key (replacing the device's earlier figures). */
export function keepMeasurement(cache: SpeedCache, measurement: SpeedMeasurement): SpeedCache {
  const entries = Object.entries(cache).filter(([key]) => key !== measurement.key);
  entries.sort(([, a], [, b]) => b.measuredAt.localeCompare(a.measuredAt));
  return Object.fromEntries([[measurement.key, measurement], ...entries.slice(0, MAX_KEPT_DEVICES - 1)]);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
