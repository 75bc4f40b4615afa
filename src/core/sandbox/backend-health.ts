/**
 * No silent breakage: whether the backend a run trains on is still sound. A backend that loses its
 * GPU device, throws a buffer-mapping AbortError, or gives NaN or zeros where the CPU backend does
 * not is dropped for the run (`BackendLost`), and the sandbox side restarts the learner's
 * `train(lab)` on the next backend (sandbox-side.ts), so no grade comes from a broken backend.
 *
 * Also the test hook `BackendFault`: the host may ask (page: `?backend-fault=wasm:nan`, honoured only
 * where the page's localStorage turns test hooks on, app/stores/backend-speed-store.ts) that a
 * backend break once training starts, to show the fallback end to end.
 */
import { isBackendLossError, probeBackend, type BackendName } from '@cv-lab/runtime';
import { errorMessage } from '../shared/errors';
import type { TF } from '../shared/tf';

/** A forced failure, for tests: the backend reads back NaN, or its device is lost. */
export interface BackendFault {
  backend: BackendName;
  fault: 'nan' | 'device-lost';
}

/** Thrown inside a job when its backend broke: the run restarts on the next backend. */
export class BackendLost extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendLost';
  }
}

export interface BackendHealth {
  /** Why the backend is known to be broken (its device was lost); null while nothing is known. */
  readonly lost: string | null;
  /** Breaks the backend if the job's test fault names it (called as learner code starts). */
  armFault(): void;
  /** Re-runs the correctness probe: null while the backend agrees with the CPU, else why not. */
  check(): Promise<string | null>;
  /** The `BackendLost` for an error thrown during the run, or null when it is the learner's own. */
  lossFrom(error: unknown): BackendLost | null;
}

interface WebGpuLike {
  device?: { lost?: Promise<{ reason?: string; message?: string }>; destroy?: () => void };
}

export function watchBackend(tf: TF, backend: BackendName, fault?: BackendFault): BackendHealth {
  let lost: string | null = null;
  let faultArmed = false;
  const instance = safeFindBackend(tf, backend) as WebGpuLike | null;
  if (backend === 'webgpu') {
    void instance?.device?.lost?.then((info) => {
      lost = `the GPU device was lost (${[info?.reason, info?.message].filter(Boolean).join(': ') || 'no reason given'})`;
    });
  }
  return {
    get lost() {
      return lost;
    },
    armFault() {
      if (fault?.backend !== backend) return;
      faultArmed = true;
      injectFault(tf, backend, fault.fault);
    },
    async check() {
      if (lost) return lost;
      // The probe runs after learner code, in a realm that code may have patched (Math, Array
      // methods): a failing probe there proves nothing about WASM or the CPU, which lose no device,
      // and would let patched globals push the run off every backend. Only a GPU backend, or one
      // the test hook broke, is probed again.
      if (backend === 'cpu' || (backend === 'wasm' && !faultArmed)) return null;
      const reason = await probeBackend(tf, backend);
      if (lost) return lost;
      return reason === null ? null : `${backend} gives results the CPU backend does not (${reason})`;
    },
    lossFrom(error) {
      if (error instanceof BackendLost) return error;
      if (lost) return new BackendLost(lost);
      if (isBackendLossError(error))
        return new BackendLost(`the GPU device was lost (${errorMessage(error)})`);
      return null;
    },
  };
}

function safeFindBackend(tf: TF, backend: BackendName): unknown {
  try {
    return tf.findBackend(backend);
  } catch {
    return null;
  }
}

/** Makes `backend` break from now on: every float it reads back is NaN, or its device is lost. */
function injectFault(tf: TF, backend: BackendName, fault: BackendFault['fault']): void {
  const instance = safeFindBackend(tf, backend) as
    | (WebGpuLike & {
        read(dataId: object): Promise<unknown>;
        readSync(dataId: object): unknown;
      })
    | null;
  if (!instance) return;
  if (fault === 'device-lost' && instance.device?.destroy) {
    instance.device.destroy();
    return;
  }
  const broken = (values: unknown): unknown => {
    if (fault === 'device-lost') {
      const error = new Error(
        "Failed to execute 'mapAsync' on 'GPUBuffer': A valid external Instance reference no longer exists (injected)",
      );
      error.name = 'AbortError';
      throw error;
    }
    return values instanceof Float32Array ? new Float32Array(values.length).fill(Number.NaN) : values;
  };
  const { read, readSync } = instance;
  instance.readSync = (dataId) => broken(readSync.call(instance, dataId));
  instance.read = async (dataId) => broken(await read.call(instance, dataId));
  injected.push(() => {
    instance.read = read;
    instance.readSync = readSync;
  });
}

const injected: (() => void)[] = [];

/**
 * Undoes every injected NaN or read fault. A sandbox serves one job and never needs it; tests that
 * run many jobs in one thread (in-thread-sandbox.ts) do.
 */
export function clearInjectedFaults(): void {
  for (const undo of injected.splice(0).reverse()) undo();
}
