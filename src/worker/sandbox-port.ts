/**
 * The trusted worker's channel to a page sandbox: the `MessagePort` whose other end the page gave to
 * the sandbox worker in its opaque-origin frame (app/run/sandbox-frame.ts). Closing it here only
 * stops listening; the page removes the frame, which ends the sandbox worker.
 */
import type { SandboxChannel } from '../core/sandbox/protocol';

export function messagePortChannel(port: MessagePort): SandboxChannel {
  let closed = false;
  return {
    send(message, transfer = []) {
      if (!closed) port.postMessage(message, transfer);
    },
    onMessage(listener) {
      port.onmessage = (event) => {
        if (!closed) listener(event.data);
      };
      // A message that cannot be deserialised is a protocol error like any malformed one.
      port.onmessageerror = () => {
        if (!closed) listener({ type: 'unreadable' });
      };
    },
    onExit() {
      // A page sandbox's death shows as silence: the watchdog ends the run.
    },
    close() {
      closed = true;
      port.close();
    },
  };
}
