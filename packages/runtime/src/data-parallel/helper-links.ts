/**
 * How a step's caller reaches a gradient helper (README.md). Two kinds of link, one interface:
 *
 * - **Shared memory** (`sharedMemoryLink`): the helper is a worker thread of the same process or
 *   page; the job is written into a `SharedArrayBuffer` both see, `Atomics` hand it over. The page's
 *   sandbox, the bench, and the CLI's host side use it.
 * - **A byte stream** (`streamLink`): the helper is in another process: the CLI's sandboxed child
 *   may start no thread (docs/sandbox.md), so its helpers run in the CLI's own process behind a pipe.
 *   The job's bytes are written, the answer's read back, both blocking (the step is synchronous);
 *   `relayStream` is the other end, which hands each job to a shared-memory helper there.
 *
 * Frames on the stream: a little-endian u32 length, then the channel's control block, then the
 * job's bytes (the step's floats, or the configuration's text); answers alike, with the step's
 * gradients, loss and metrics (or the failure's text).
 */
import {
  answerFloats,
  awaitHelper,
  awaitHelperAsync,
  BYTES,
  CONFIGURE,
  CONTROL_BYTES,
  createStepChannel,
  DONE,
  FAILED,
  jobBytes,
  OP,
  post,
  RESULT_FLOATS,
  STATE,
  STEP,
  STOP,
  SWAP_BUFFER,
  writeText,
  type StepChannel,
} from './step-channel';

/** One gradient helper, as a split step sees it. */
export interface HelperLink {
  /** Resolves once the helper can take jobs. */
  ready: Promise<void>;
  /** The channel for the next job, with room for at least `floats` floats (or bytes of text). */
  channel(floats: number): StepChannel;
  /** Hands the job written in the channel to the helper: `CONFIGURE`, `STEP` or `STOP`. */
  send(op: number): void;
  /** Waits for the helper's answer, which lands in the channel. */
  receive(timeoutMs: number): 'done' | 'failed' | 'timed-out';
  terminate(): void;
}

/** The first channel's size: a million floats (4 MB) holds the lab's usual models and batches. */
const FIRST_CHANNEL_FLOATS = 1 << 20;

/**
 * A helper thread on shared memory. `postBuffer` delivers a buffer to it (its first, and a larger
 * one after it was told to swap); the helper runs `serveGradientHelper` on them.
 */
export function sharedMemoryLink(
  postBuffer: (buffer: SharedArrayBuffer) => void,
  ready: Promise<void>,
  terminate: () => void,
): HelperLink & { receiveAsync(timeoutMs: number): Promise<'done' | 'failed' | 'timed-out'> } {
  let channel = createStepChannel(FIRST_CHANNEL_FLOATS);
  postBuffer(channel.buffer as SharedArrayBuffer);
  return {
    ready,
    channel(floats) {
      if (channel.floats.length >= floats) return channel;
      post(channel, SWAP_BUFFER);
      if (awaitHelper(channel, 60_000) !== 'done') throw new Error('a helper did not answer');
      channel = createStepChannel(floats * 1.5);
      postBuffer(channel.buffer as SharedArrayBuffer);
      return channel;
    },
    send: (op) => post(channel, op),
    receive: (timeoutMs) => awaitHelper(channel, timeoutMs),
    receiveAsync: (timeoutMs) => awaitHelperAsync(channel, timeoutMs),
    terminate,
  };
}

/** Blocking reads and writes of one end of a stream (a file descriptor in Node). */
export interface BlockingStream {
  write(bytes: Uint8Array): void;
  /** Fills `bytes` completely, or throws when the stream ends. */
  readExactly(bytes: Uint8Array): void;
}

/** A helper behind a byte stream; `relayStream` serves the other end. */
export function streamLink(stream: BlockingStream): HelperLink {
  let channel = createStepChannel(FIRST_CHANNEL_FLOATS, false);
  const length = new Uint8Array(4);
  return {
    ready: Promise.resolve(),
    channel(floats) {
      if (channel.floats.length < floats) channel = createStepChannel(floats * 1.5, false);
      return channel;
    },
    send(op) {
      channel.control[OP] = op;
      const size = CONTROL_BYTES + jobBytes(channel);
      new DataView(length.buffer).setUint32(0, size, true);
      stream.write(length);
      stream.write(new Uint8Array(channel.buffer, 0, size));
    },
    receive() {
      stream.readExactly(length);
      const size = new DataView(length.buffer).getUint32(0, true);
      if (size < CONTROL_BYTES) throw new Error('a helper sent a truncated answer');
      const control = new Uint8Array(CONTROL_BYTES);
      stream.readExactly(control);
      channel.control.set(new Int32Array(control.buffer));
      const rest = size - CONTROL_BYTES;
      const state = channel.control[STATE];
      if (state === FAILED) {
        if (rest > channel.bytes.length) throw new Error('a helper sent an answer too large');
        stream.readExactly(channel.bytes.subarray(0, rest));
        return 'failed';
      }
      const { start, count } = answerFloats(channel);
      if (rest !== 4 * count || start + count > channel.floats.length)
        throw new Error('a helper sent an answer of the wrong size');
      stream.readExactly(new Uint8Array(channel.buffer, CONTROL_BYTES + 4 * start, rest));
      return state === DONE ? 'done' : 'failed';
    },
    // The other process owns the helper: it stops it when this one ends.
    terminate: () => undefined,
  };
}

/** The stream's other end as the relay sees it: chunks in, bytes out (a Node socket). */
export interface RelayStream {
  onData(listener: (chunk: Uint8Array) => void): void;
  write(bytes: Uint8Array): void;
}

/**
 * Serves a `streamLink` from another process: each job is checked (a frame no larger than
 * `maxFrameBytes`, an operation it knows, sizes that add up) and handed to `helper`, a
 * shared-memory helper started on first use, and the answer written back. The other process is
 * not trusted: a frame that fails a check is answered with a failure, and the relay reads no more.
 */
export function relayStream(
  stream: RelayStream,
  startHelper: () => ReturnType<typeof sharedMemoryLink>,
  options: { maxFrameBytes: number; timeoutMs: number },
): { stop(): void } {
  let helper: ReturnType<typeof sharedMemoryLink> | null = null;
  let queue = Promise.resolve();
  let refused = false;

  const answerFailure = (message: string) => {
    const channel = createStepChannel(1024, false);
    channel.control[STATE] = FAILED;
    writeText(channel, message);
    writeFrame(channel, channel.control[BYTES]);
  };
  const writeFrame = (channel: StepChannel, restBytes: number, restStart = 0) => {
    const frame = new Uint8Array(4 + CONTROL_BYTES + restBytes);
    new DataView(frame.buffer).setUint32(0, CONTROL_BYTES + restBytes, true);
    frame.set(new Uint8Array(channel.buffer, 0, CONTROL_BYTES), 4);
    frame.set(new Uint8Array(channel.buffer, CONTROL_BYTES + restStart, restBytes), 4 + CONTROL_BYTES);
    stream.write(frame);
  };

  // A helper that failed to rebuild a model may hold what it allocated trying (a WASM heap never
  // shrinks), and one past its share of memory has ended: either is let go, and a fresh one is
  // started for the next model. STOP lets the helper go too.
  const letGo = () => {
    helper?.terminate();
    helper = null;
  };
  const serve = async (frame: Uint8Array) => {
    const control = new Int32Array(frame.slice(0, CONTROL_BYTES).buffer);
    const job = { control } as StepChannel;
    const op = control[OP];
    if (op === STOP) return letGo();
    if (op !== CONFIGURE && op !== STEP) throw new Error(`an unknown operation (${op})`);
    if (Array.from(control).some((word) => word < 0)) throw new Error('a job with a negative size');
    const rest = frame.length - CONTROL_BYTES;
    if (jobBytes(job) !== rest) throw new Error('a job whose sizes do not add up');
    // Room for the job, then for a step's answer: its gradients, then its loss and metrics (a
    // model has a few; 64 is room to spare).
    const needed = op === STEP ? answerFloats(job).start + control[RESULT_FLOATS] + 64 : Math.ceil(rest / 4);
    if (4 * needed > 2 * options.maxFrameBytes) throw new Error('a job that asks for too large an answer');
    helper ??= startHelper();
    await helper.ready;
    const channel = helper.channel(needed + 16);
    channel.control.set(control);
    channel.control[STATE] = 0;
    new Uint8Array(channel.buffer, CONTROL_BYTES, rest).set(frame.subarray(CONTROL_BYTES));
    helper.send(op);
    const outcome = await helper.receiveAsync(options.timeoutMs);
    if (outcome === 'timed-out') {
      letGo();
      throw new Error('the helper did not answer');
    }
    if (outcome === 'failed') {
      writeFrame(channel, channel.control[BYTES]);
      letGo();
    } else {
      const answer = answerFloats(channel);
      writeFrame(channel, 4 * answer.count, 4 * answer.start);
    }
  };

  // Chunks are kept as they come and joined once a frame is whole: joining at every chunk would
  // copy a large frame over and over.
  const chunks: Uint8Array[] = [];
  let buffered = 0;
  const take = (count: number): Uint8Array => {
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const chunk = chunks[0];
      const used = Math.min(chunk.length, count - filled);
      out.set(chunk.subarray(0, used), filled);
      filled += used;
      if (used === chunk.length) chunks.shift();
      else chunks[0] = chunk.subarray(used);
    }
    buffered -= count;
    return out;
  };
  let frameSize = -1;
  stream.onData((chunk) => {
    if (refused) return;
    chunks.push(chunk);
    buffered += chunk.length;
    for (;;) {
      if (frameSize < 0) {
        if (buffered < 4) return;
        frameSize = new DataView(take(4).buffer).getUint32(0, true);
        if (frameSize < CONTROL_BYTES || frameSize > options.maxFrameBytes) {
          refused = true;
          answerFailure(`a job of ${frameSize} bytes: at most ${options.maxFrameBytes}`);
          return;
        }
      }
      if (buffered < frameSize) return;
      const frame = take(frameSize);
      frameSize = -1;
      queue = queue.then(() =>
        serve(frame).catch((error: unknown) => {
          answerFailure(error instanceof Error ? error.message : String(error));
        }),
      );
    }
  });
  return {
    stop() {
      refused = true;
      letGo();
    },
  };
}
