/**
 * LabRunner, the page's owner of the lab worker, with its two seams filled in: `spawnWorker` gives
 * a fake Worker whose comlink endpoint is one end of a MessageChannel, with a fake LabWorkerApi
 * exposed on the other; `openSandbox` gives a fake sandbox frame. What is tested is the runner's
 * own logic: events in order before the end, Stop, the watchdog, a crashed worker replaced.
 */
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { LabRunner, type RunEnd, type SpeedSource } from '../../../src/app/run/lab-runner';
import type { SandboxFrame } from '../../../src/app/run/sandbox-frame';
import type { RunEvent } from '../../../src/core/sandbox/events';
import type { LabRunOutcome, LabWorkerApi, PageRunRequest } from '../../../src/worker/contract';

/** A Worker as the runner uses one: a comlink endpoint, `error` events and `terminate()`. */
class FakeWorker extends EventTarget {
  terminated = false;

  constructor(private readonly port: MessagePort) {
    super();
  }

  postMessage(message: unknown, transfer: Transferable[] = []): void {
    this.port.postMessage(message, transfer);
  }

  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    if (type === 'message') this.port.addEventListener(type, listener as EventListener);
    else super.addEventListener(type, listener);
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    if (type === 'message') this.port.removeEventListener(type, listener as EventListener);
    else super.removeEventListener(type, listener);
  }

  start(): void {
    this.port.start();
  }

  terminate(): void {
    this.terminated = true;
    this.port.close();
  }

  /** What a browser fires when an error escapes the worker's script. */
  fail(message: string): Event {
    const event = Object.assign(new Event('error', { cancelable: true }), { message });
    this.dispatchEvent(event);
    return event;
  }
}

/** How the fake worker answers `run`: it gets the page's callback and the sandbox port. */
type FakeRun = (
  request: PageRunRequest,
  sandbox: MessagePort,
  onEvent: (event: RunEvent) => Promise<void>,
) => Promise<LabRunOutcome>;

const ports: MessagePort[] = [];
afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

/** A runner whose every worker answers `run` with `answer`; records workers, sandboxes and runs. */
function setup(answer: FakeRun, orderBackends?: ConstructorParameters<typeof LabRunner>[2]) {
  const workers: FakeWorker[] = [];
  const sandboxes: { port: MessagePort; closed: number }[] = [];
  const started: { request: PageRunRequest; sandbox: MessagePort; worker: number }[] = [];
  const spawnWorker = () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const index = workers.length;
    const api: Partial<LabWorkerApi> = {
      run: (request, sandbox, onEvent) => {
        started.push({ request, sandbox, worker: index });
        return answer(request, sandbox, onEvent as (event: RunEvent) => Promise<void>);
      },
      deviceFacts: async () => ({ userAgent: `worker ${index}`, webgpu: null, webgl: null }),
    };
    Comlink.expose(api, port2 as never);
    const worker = new FakeWorker(port1);
    workers.push(worker);
    return worker as unknown as Worker;
  };
  const openSandbox = async (): Promise<SandboxFrame> => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const sandbox = { port: port1, closed: 0 };
    sandboxes.push(sandbox);
    return {
      port: port1,
      close: () => {
        sandbox.closed += 1;
      },
    };
  };
  const runner = new LabRunner(spawnWorker, openSandbox, orderBackends);
  return { runner, workers, sandboxes, started };
}

const request = { bundle: { exercise: { id: 'x' } }, code: 'code', backend: 'wasm' } as PageRunRequest;

const outcome: LabRunOutcome = { ok: true, history: [], backend: 'wasm' };

const events: RunEvent[] = [
  { type: 'phase', phase: 'backend', message: 'Choosing a backend' },
  { type: 'backend', backend: 'wasm', tried: [{ backend: 'wasm', ok: true }] },
  { type: 'batch', epoch: 0, batch: 0, batches: 2, logs: { loss: 1 } },
  { type: 'epoch', epoch: 0, logs: { loss: 1 }, numTensors: 4, seconds: 1 },
  { type: 'phase', phase: 'done', message: 'Passed' },
];

/** A promise that never settles: learner code stuck in `while (true) {}`. */
const forever = () => new Promise<never>(() => {});

/** Resolves once `check` holds, polling the event loop (messages cross ports asynchronously). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(check()).toBe(true);
}

describe('LabRunner', () => {
  it("streams the worker's events in order, then resolves 'finished' and closes the sandbox", async () => {
    const { runner, workers, sandboxes, started } = setup(async (_request, _sandbox, onEvent) => {
      // As the host does: each event taken by the page before the outcome goes back.
      for (const event of events) await onEvent(event);
      return outcome;
    });
    const seen: RunEvent[] = [];
    let endedWith: number | null = null;
    const end = await runner
      .run(request, (event) => seen.push(event), 60)
      .then((end) => {
        endedWith = seen.length;
        return end;
      });
    expect(end).toEqual({ type: 'finished', outcome });
    expect(seen).toEqual(events);
    expect(endedWith).toBe(events.length);
    expect(started).toHaveLength(1);
    expect(started[0].request).toEqual(request);
    // The sandbox's port was handed over (transferred), and the sandbox closed once the run ended.
    expect(started[0].sandbox).toBeInstanceOf(MessagePort);
    expect(sandboxes.map((s) => s.closed)).toEqual([1]);
    expect(runner.isRunning).toBe(false);
    // The worker that finished is kept for the next run (it caches decoded data).
    expect(workers).toHaveLength(1);
    expect(workers[0].terminated).toBe(false);
    await runner.run(request, () => {}, 60);
    expect(started.map((s) => s.worker)).toEqual([0, 0]);
    expect(sandboxes.map((s) => s.closed)).toEqual([1, 1]);
    runner.dispose();
    expect(workers[0].terminated).toBe(true);
  });

  it("Stop resolves 'stopped', terminates the worker, closes the sandbox and warms a fresh worker", async () => {
    const { runner, workers, sandboxes, started } = setup(async (_request, _sandbox, onEvent) => {
      await onEvent(events[0]);
      return forever();
    });
    const seen: RunEvent[] = [];
    const ending = runner.run(request, (event) => seen.push(event), 60);
    expect(runner.isRunning).toBe(true);
    await expect(runner.run(request, () => {}, 60)).rejects.toThrow('A run is already in progress');
    expect(() => runner.speedSource()).toThrow(/A run is in progress/);
    await until(() => seen.length === 1);
    runner.stop('The exam has ended');
    expect(await ending).toEqual({ type: 'stopped', reason: 'The exam has ended' });
    expect(workers[0].terminated).toBe(true);
    expect(sandboxes.map((s) => s.closed)).toEqual([1]);
    expect(runner.isRunning).toBe(false);
    expect(workers).toHaveLength(2);
    expect(workers[1].terminated).toBe(false);
    expect(started).toHaveLength(1);
    // Stop when idle does nothing.
    runner.stop();
    expect(workers[1].terminated).toBe(false);
    runner.dispose();
  });

  it("the watchdog resolves 'timeout' after the limit it was given, ending the worker and the sandbox", async () => {
    const { runner, workers, sandboxes } = setup(() => forever());
    const startedAt = Date.now();
    const end: RunEnd = await runner.run(request, () => {}, 0.05);
    expect(end).toEqual({ type: 'timeout', limitSeconds: 0.05 });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(45);
    expect(workers[0].terminated).toBe(true);
    expect(sandboxes.map((s) => s.closed)).toEqual([1]);
    expect(workers).toHaveLength(2);
    runner.dispose();
  });

  it("a worker error resolves 'crashed' with its message, and the next run gets a fresh worker", async () => {
    let calls = 0;
    const { runner, workers, sandboxes, started } = setup(async () => {
      calls += 1;
      return calls === 1 ? forever() : outcome;
    });
    const ending = runner.run(request, () => {}, 60);
    await until(() => started.length === 1);
    const event = workers[0].fail('an error escaped a timer');
    expect(event.defaultPrevented).toBe(true);
    expect(await ending).toEqual({ type: 'crashed', message: 'an error escaped a timer' });
    expect(workers[0].terminated).toBe(true);
    expect(await runner.run(request, () => {}, 60)).toEqual({ type: 'finished', outcome });
    expect(started.map((s) => s.worker)).toEqual([0, 1]);
    expect(sandboxes.map((s) => s.closed)).toEqual([1, 1]);
    runner.dispose();
  });

  it('a worker that failed while idle is replaced before the next run', async () => {
    const { runner, workers, started } = setup(async () => outcome);
    runner.warm();
    workers[0].fail('');
    expect(await runner.run(request, () => {}, 60)).toEqual({ type: 'finished', outcome });
    expect(workers[0].terminated).toBe(true);
    expect(started.map((s) => s.worker)).toEqual([1]);
    runner.dispose();
  });

  it("a run the worker rejects resolves 'crashed' with the reason", async () => {
    const { runner, sandboxes } = setup(async () => {
      throw new Error('the lab worker ran out of memory');
    });
    const end = await runner.run(request, () => {}, 60);
    expect(end.type).toBe('crashed');
    expect(end.type === 'crashed' && end.message).toMatch(/the lab worker ran out of memory/);
    expect(sandboxes.map((s) => s.closed)).toEqual([1]);
    runner.dispose();
  });

  it('adds the measured backend order to the request, measured with the warm worker', async () => {
    const order = async (
      source: SpeedSource,
      _request: PageRunRequest,
      onEvent: (event: RunEvent) => void,
    ) => {
      const facts = await source.deviceFacts();
      onEvent({ type: 'log', level: 'info', message: `measured on ${facts.userAgent}` });
      return ['wasm', 'cpu'] as PageRunRequest['backendOrder'];
    };
    const { runner, started } = setup(async () => outcome, order);
    const seen: RunEvent[] = [];
    expect(await runner.run(request, (event) => seen.push(event), 60)).toEqual({ type: 'finished', outcome });
    expect(started[0].request).toEqual({ ...request, backendOrder: ['wasm', 'cpu'] });
    expect(seen).toEqual([{ type: 'log', level: 'info', message: 'measured on worker 0' }]);
    runner.dispose();
  });
});
