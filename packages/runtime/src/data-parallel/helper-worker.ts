/**
 * The message side of a gradient helper's worker, the same in a browser worker and a Node worker
 * thread: buffers arrive as messages (the first, and a larger one after a swap), and the helper
 * says `ready` once its backend is up and it holds its first buffer.
 */
import { GradientHelper, serveGradientHelper } from './gradient-helper';
import { sharedMemoryLink, type HelperLink } from './helper-links';
import type { TF } from '../tf';

/** The message a helper sends once it is up. */
export const HELPER_READY = 'cv-lab-gradient-helper-ready';

/** Buffers in the order they arrive; `next` waits for one. */
export function bufferInbox(): {
  deliver(buffer: SharedArrayBuffer): void;
  next(): Promise<SharedArrayBuffer>;
} {
  const buffers: SharedArrayBuffer[] = [];
  let waiting: ((buffer: SharedArrayBuffer) => void) | null = null;
  return {
    deliver(buffer) {
      if (waiting) {
        waiting(buffer);
        waiting = null;
      } else buffers.push(buffer);
    },
    next: () =>
      new Promise((resolve) => {
        const queued = buffers.shift();
        if (queued) resolve(queued);
        else waiting = resolve;
      }),
  };
}

/**
 * A helper worker's body once its tfjs backend is up: says ready with its first buffer and serves
 * until told to stop. `inbox` is fed with every buffer message the worker receives.
 */
export async function runGradientHelper(
  tf: TF,
  inbox: ReturnType<typeof bufferInbox>,
  sayReady: () => void,
  seedRandom: (seed: number) => void,
  memoryLimitBytes?: number,
): Promise<void> {
  const first = await inbox.next();
  sayReady();
  await serveGradientHelper(new GradientHelper(tf, seedRandom, memoryLimitBytes), first, inbox.next);
}

/** The parent's link to a browser worker that runs `runGradientHelper`, started with `init`. */
export function linkBrowserHelper(worker: Worker, init: unknown): HelperLink {
  const ready = new Promise<void>((resolve, reject) => {
    worker.onmessage = (event) =>
      event.data === HELPER_READY ? resolve() : reject(new Error(String(event.data)));
    worker.onerror = (event) => reject(new Error(event.message || 'a gradient helper failed to start'));
  });
  ready.catch(() => undefined);
  worker.postMessage(init);
  return sharedMemoryLink(
    (buffer) => worker.postMessage(buffer),
    ready,
    () => worker.terminate(),
  );
}
