/**
 * The shared memory between a training step's caller and one gradient helper (README.md).
 *
 * tfjs calls a model's train function synchronously, once per batch, so a helper cannot be answered
 * with messages: the caller writes the job into a `SharedArrayBuffer`, wakes the helper with
 * `Atomics.notify`, computes its own part of the batch, and waits with `Atomics.wait` for the helper's
 * gradients. One buffer per helper; a larger job swaps in a larger buffer (the helper picks it up
 * from a message, the one thing that goes through its event loop).
 *
 * Layout: 32 control words (Int32), then a float region used as
 *   step:      [weights of the model, all] [inputs of the helper's rows] [targets of its rows]
 *              [result: gradients of the trainable weights] [loss, metrics...]
 *   configure: the configuration's JSON as UTF-8 bytes.
 */

export const CONTROL_WORDS = 32;
export const CONTROL_BYTES = CONTROL_WORDS * 4;

/** Control word indices. */
export const STATE = 0;
export const OP = 1;
export const ROWS = 2;
export const BYTES = 3;
export const INPUT_FLOATS = 4;
export const TARGET_FLOATS = 5;
export const WEIGHT_FLOATS = 6;
export const RESULT_FLOATS = 7;
export const VALUES = 8;
const INPUT_RANK = 9;
const TARGET_RANK = 10;
const INPUT_DTYPE = 11;
const TARGET_DTYPE = 12;
const INPUT_DIMS = 16;
const TARGET_DIMS = 24;
/** The most dimensions a row of inputs or targets may have (the control block's room). */
export const MAX_ROW_RANK = 8;

/** `STATE` values: who holds the buffer. */
export const IDLE = 0;
export const POSTED = 1;
export const DONE = 2;
export const FAILED = 3;

/** `OP` values: what the caller asks for. */
export const CONFIGURE = 1;
export const STEP = 2;
/** Leave the wait loop and take the next buffer from a message. */
export const SWAP_BUFFER = 3;
export const STOP = 4;

export interface StepChannel {
  /** Shared with a helper thread, or this process's own for a helper behind a stream. */
  buffer: SharedArrayBuffer | ArrayBuffer;
  control: Int32Array;
  floats: Float32Array;
  bytes: Uint8Array;
}

export function createStepChannel(floatCapacity: number, shared = true): StepChannel {
  const bytes = CONTROL_BYTES + 4 * Math.max(1024, Math.ceil(floatCapacity));
  return openStepChannel(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

export function openStepChannel(buffer: SharedArrayBuffer | ArrayBuffer): StepChannel {
  return {
    buffer,
    control: new Int32Array(buffer, 0, CONTROL_WORDS),
    floats: new Float32Array(buffer, CONTROL_BYTES),
    bytes: new Uint8Array(buffer, CONTROL_BYTES),
  };
}

/** Caller: hand the buffer to the helper. */
export function post(channel: StepChannel, op: number): void {
  Atomics.store(channel.control, OP, op);
  Atomics.store(channel.control, STATE, POSTED);
  Atomics.notify(channel.control, STATE);
}

/**
 * Caller: wait until the helper is done with the buffer; false if it failed (its message in
 * the byte region) or did not answer within `timeoutMs`.
 */
export function awaitHelper(channel: StepChannel, timeoutMs: number): 'done' | 'failed' | 'timed-out' {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { state, outcome } = settled(channel, deadline);
    if (outcome) return outcome;
    Atomics.wait(channel.control, STATE, state, deadline - Date.now());
  }
}

/** The helper's answer once it is there (or the deadline passed), else the state to wait on. */
function settled(
  channel: StepChannel,
  deadline: number,
): { state: number; outcome: 'done' | 'failed' | 'timed-out' | null } {
  const state = Atomics.load(channel.control, STATE);
  if (state === DONE) return { state, outcome: 'done' };
  if (state === FAILED) return { state, outcome: 'failed' };
  return { state, outcome: Date.now() >= deadline ? 'timed-out' : null };
}

/**
 * Caller, without blocking its thread (a relay on the CLI's main thread): resolves when the helper
 * is done with the buffer, failed, or did not answer within `timeoutMs`.
 */
export async function awaitHelperAsync(
  channel: StepChannel,
  timeoutMs: number,
): Promise<'done' | 'failed' | 'timed-out'> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { state, outcome } = settled(channel, deadline);
    if (outcome) return outcome;
    const waited = (Atomics as unknown as AtomicsWithWaitAsync).waitAsync(
      channel.control,
      STATE,
      state,
      deadline - Date.now(),
    );
    if (waited.async) await waited.value;
  }
}

/** `Atomics.waitAsync` (ES2024; in Chromium and Node 16+): not in this project's ES2022 library. */
interface AtomicsWithWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
    timeoutMs: number,
  ): { async: false; value: string } | { async: true; value: Promise<string> };
}

/** The floats of a job in the channel: what goes to the helper. */
export function jobFloats(channel: StepChannel): number {
  const { control } = channel;
  if (control[OP] === STEP) return control[WEIGHT_FLOATS] + control[INPUT_FLOATS] + control[TARGET_FLOATS];
  return 0;
}

/** The bytes of a job beyond the control block: the step's floats, or a configuration's text. */
export function jobBytes(channel: StepChannel): number {
  return channel.control[OP] === CONFIGURE ? channel.control[BYTES] : 4 * jobFloats(channel);
}

/**
 * Where a job's answer starts in the float region, and how many floats it has: a step's gradients,
 * then its loss and metrics; nothing for a configuration.
 */
export function answerFloats(channel: StepChannel): { start: number; count: number } {
  const { control } = channel;
  if (control[OP] !== STEP) return { start: 0, count: 0 };
  return { start: jobFloats(channel), count: control[RESULT_FLOATS] + control[VALUES] };
}

/** Helper: wait for the next job. */
export function awaitJob(channel: StepChannel): number {
  while (Atomics.load(channel.control, STATE) !== POSTED) {
    Atomics.wait(channel.control, STATE, Atomics.load(channel.control, STATE));
  }
  return Atomics.load(channel.control, OP);
}

/** Helper: give the buffer back. */
export function finish(channel: StepChannel, state: typeof DONE | typeof FAILED): void {
  Atomics.store(channel.control, STATE, state);
  Atomics.notify(channel.control, STATE);
}

export function writeText(channel: StepChannel, text: string): boolean {
  const encoded = new TextEncoder().encode(text);
  if (encoded.length > channel.bytes.length) return false;
  channel.bytes.set(encoded);
  Atomics.store(channel.control, BYTES, encoded.length);
  return true;
}

export function readText(channel: StepChannel): string {
  const length = Atomics.load(channel.control, BYTES);
  // TextDecoder refuses views of shared memory: copy first.
  return new TextDecoder().decode(channel.bytes.slice(0, length));
}

/** The shapes of one row of the step's inputs and targets, and their dtypes. */
export interface StepShapes {
  input: number[];
  target: number[];
  inputDtype: 'float32' | 'int32';
  targetDtype: 'float32' | 'int32';
}

/** False when a row has more dimensions than the control block holds. */
export function writeStepShapes(channel: StepChannel, shapes: StepShapes): boolean {
  if (shapes.input.length > MAX_ROW_RANK || shapes.target.length > MAX_ROW_RANK) return false;
  const { control } = channel;
  control[INPUT_RANK] = shapes.input.length;
  control[TARGET_RANK] = shapes.target.length;
  control.set(shapes.input, INPUT_DIMS);
  control.set(shapes.target, TARGET_DIMS);
  control[INPUT_DTYPE] = shapes.inputDtype === 'int32' ? 1 : 0;
  control[TARGET_DTYPE] = shapes.targetDtype === 'int32' ? 1 : 0;
  return true;
}

export function readStepShapes(channel: StepChannel): StepShapes {
  const { control } = channel;
  return {
    input: Array.from(control.subarray(INPUT_DIMS, INPUT_DIMS + control[INPUT_RANK])),
    target: Array.from(control.subarray(TARGET_DIMS, TARGET_DIMS + control[TARGET_RANK])),
    inputDtype: control[INPUT_DTYPE] === 1 ? 'int32' : 'float32',
    targetDtype: control[TARGET_DTYPE] === 1 ? 'int32' : 'float32',
  };
}
