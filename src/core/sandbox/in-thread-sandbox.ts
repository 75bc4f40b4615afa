/**
 * A sandbox channel whose other end runs in this very thread: the run protocol without a worker or a
 * process, for unit tests of the two sides and for tools that run trusted code (the exercise
 * catalog's own checks). It isolates nothing — learner code in it shares the host's globals — so
 * nothing that runs untrusted code uses it: the page uses an opaque-origin worker (src/sandbox),
 * the CLI a locked-down child process (src/cli/sandbox).
 *
 * Messages are structured-cloned each way, as `postMessage` would, so both sides see plain data.
 */
import type { TF } from '../shared/tf';
import type { HostLink, HostMessage, SandboxChannel, SandboxMessage } from './protocol';
import { serveSandbox } from './sandbox-side';

export function inThreadSandbox(tf: TF): SandboxChannel {
  const toHost: ((raw: unknown) => void)[] = [];
  const toSandbox: ((message: HostMessage) => void)[] = [];
  let closed = false;
  const deliver = <T>(listeners: ((m: T) => void)[], message: T) =>
    setTimeout(() => {
      if (closed) return;
      const copy = structuredClone(message);
      for (const listener of listeners) listener(copy);
    }, 0);
  const link: HostLink = {
    send: (message: SandboxMessage) => deliver(toHost, message as unknown),
    onMessage: (listener) => toSandbox.push(listener),
  };
  serveSandbox(link, { tf });
  return {
    send: (message) => deliver(toSandbox, message),
    onMessage: (listener) => toHost.push(listener),
    onExit: () => {},
    close: () => {
      closed = true;
    },
  };
}
