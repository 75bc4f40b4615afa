/**
 * Owns the lab worker from the page's side: starts it ahead of time, opens a fresh sandbox for
 * each run (sandbox-frame.ts) and hands its port to the worker, and stops a run by removing the
 * sandbox and terminating the worker — the one stop that always works, even when learner code is stuck in
 * `while (true)` and no callback can run. A watchdog does the same when a run overruns its limit.
 */
import * as Comlink from 'comlink';
import type { RunEvent } from '../../core/sandbox/events';
import type { PageRunRequest } from '../../worker/contract';
import type { DeviceFacts, SpeedMeasurement } from '@cv-lab/runtime';
import type { LabRunOutcome, LabWorkerApi } from '../../worker/contract';
import { openSandboxFrame, type SandboxFrame } from './sandbox-frame';
import { errorMessage } from '../../core/shared/errors';

/** The lab worker's side of measuring backends (a subset of LabWorkerApi). */
export interface SpeedSource {
  deviceFacts(): Promise<DeviceFacts>;
  measureBackends(inputShape: [number, number, number]): Promise<SpeedMeasurement>;
}

export type RunEnd =
  | { type: 'finished'; outcome: LabRunOutcome }
  | { type: 'stopped'; reason?: string }
  | { type: 'timeout'; limitSeconds: number }
  | { type: 'crashed'; message: string };

interface LiveWorker {
  worker: Worker;
  api: Comlink.Remote<LabWorkerApi>;
  /** Set when the worker reported an uncaught error: it is not trusted with another run. */
  broken: boolean;
}

function createLabWorker(): Worker {
  return new Worker(new URL('../../worker/lab-worker.ts', import.meta.url), {
    type: 'module',
    name: 'cv-lab',
  });
}

/**
 * Seconds the watchdog adds to the exercise's own limit before it ends the run from outside: more
 * than the core's own grace (30 s), so a run that can still stop itself does so and gets graded.
 */
export const watchdogGraceSeconds = 60;

export class LabRunner {
  private live: LiveWorker | null = null;
  /** Ends the current run without the worker's answer (stop, watchdog, crash); null when idle. */
  private interrupt: ((end: RunEnd) => void) | null = null;

  constructor(
    private readonly spawnWorker: () => Worker = createLabWorker,
    private readonly openSandbox: () => Promise<SandboxFrame> = openSandboxFrame,
    /**
     * The backends a run should try, in order (the measured ranking, stores/backend-speed-store.ts),
     * found with the lab worker before the sandbox opens; undefined keeps the environment's order.
     */
    private readonly orderBackends?: (
      source: SpeedSource,
      request: PageRunRequest,
      onEvent: (event: RunEvent) => void,
    ) => Promise<PageRunRequest['backendOrder']>,
  ) {}

  /** Measures backends with the warm lab worker (Settings' "Measure again"); refused during a run. */
  speedSource(): SpeedSource {
    if (this.isRunning) throw new Error('A run is in progress: measure when it has ended');
    this.warm();
    return this.sourceOf(this.live!);
  }

  private sourceOf(live: LiveWorker): SpeedSource {
    return {
      deviceFacts: () => live.api.deviceFacts(),
      measureBackends: (shape) => live.api.measureBackends(shape),
    };
  }

  get isRunning(): boolean {
    return this.interrupt !== null;
  }

  /** Starts a worker now, so that tfjs is loaded by the time the learner presses Run. */
  warm(): void {
    if (this.live && !this.live.broken) return;
    if (this.live) this.discard(this.live);
    const worker = this.spawnWorker();
    const live: LiveWorker = { worker, api: Comlink.wrap<LabWorkerApi>(worker), broken: false };
    worker.addEventListener('error', (event) => {
      // The worker's script failed to load, or an error escaped learner code's own timers.
      event.preventDefault();
      live.broken = true;
      if (this.live === live) {
        this.interrupt?.({ type: 'crashed', message: event.message || 'the lab worker failed to start' });
      }
    });
    this.live = live;
  }

  /**
   * Runs one request in the worker. Resolves with the outcome, or with how the run was cut short.
   * A worker that finished its run is kept (it caches the decoded dataset for the next run); one
   * that was cut short is terminated and a fresh one started.
   */
  async run(
    request: PageRunRequest,
    onEvent: (event: RunEvent) => void,
    watchdogSeconds: number,
  ): Promise<RunEnd> {
    if (this.isRunning) throw new Error('A run is already in progress');
    this.warm();
    const live = this.live!;
    let sandbox: SandboxFrame | undefined;
    const interrupted = new Promise<RunEnd>((resolve) => {
      this.interrupt = resolve;
    });
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    let over = false;
    // Measuring backends (the first run on a device) is not part of the run's time.
    const ordered = this.orderBackends
      ? this.orderBackends(this.sourceOf(live), request, onEvent).then((backendOrder) =>
          backendOrder ? { ...request, backendOrder } : request,
        )
      : Promise.resolve(request);
    try {
      const finished = ordered
        .then((ready) => {
          if (over) throw new Error('the run ended before it started');
          request = ready;
          watchdog = setTimeout(
            () => this.interrupt?.({ type: 'timeout', limitSeconds: watchdogSeconds }),
            watchdogSeconds * 1000,
          );
          return this.openSandbox();
        })
        .then((opened) => {
          sandbox = opened;
          if (over) {
            opened.close();
            throw new Error('the run ended before it started');
          }
          return live.api.run(request, Comlink.transfer(opened.port, [opened.port]), Comlink.proxy(onEvent));
        })
        .then((outcome): RunEnd => ({ type: 'finished', outcome }))
        .catch((error: unknown): RunEnd => ({
          type: 'crashed',
          message: errorMessage(error),
        }));
      const end = await Promise.race([finished, interrupted]);
      if (end.type !== 'finished') {
        this.discard(live);
        this.warm();
      }
      return end;
    } finally {
      over = true;
      clearTimeout(watchdog);
      // The sandbox serves one run: removing its frame ends its worker, whatever it is doing.
      sandbox?.close();
      this.interrupt = null;
    }
  }

  /**
   * Ends the current run at once (terminates the worker). Does nothing when idle. `reason` says why
   * when it was not the learner's own Stop (the exam's time ran out).
   */
  stop(reason?: string): void {
    this.interrupt?.({ type: 'stopped', reason });
  }

  /** Terminates the worker for good (the page is going away). */
  dispose(): void {
    this.stop();
    if (this.live) this.discard(this.live);
  }

  private discard(live: LiveWorker): void {
    // No `releaseProxy`: it waits for an answer a terminated worker never sends.
    live.worker.terminate();
    if (this.live === live) this.live = null;
  }
}
