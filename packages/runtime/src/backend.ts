/**
 * Choosing the backend a run trains on.
 *
 * Each candidate is probed with one tiny training step through the layer types our exercises
 * use (conv, pooling, depthwise conv, dense, softmax cross-entropy and their gradients), compared
 * with the same step on the CPU backend. A backend that is missing, lacks a kernel, throws, produces
 * a non-finite number or a loss or gradient the CPU does not (zeros on a broken GPU) is skipped with
 * its reason, and the next one is tried. Probing catches what `setBackend` alone does not: a WebGPU
 * adapter that exists but cannot run a gradient kernel, or a WASM build without the training kernels.
 *
 * Which candidates come first is the caller's: in the page, the order of measured speed
 * (backend-speed.ts); a pinned backend always first.
 */
import type { TF } from './tf';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendPreference = BackendName | 'auto';

export interface BackendTrial {
  backend: string;
  ok: boolean;
  reason?: string;
}

export interface BackendChoice {
  backend: BackendName;
  tried: BackendTrial[];
}

export class NoBackendError extends Error {
  constructor(readonly tried: BackendTrial[]) {
    super(`No backend could train: ${tried.map((t) => `${t.backend} (${t.reason ?? 'failed'})`).join('; ')}`);
    this.name = 'NoBackendError';
  }
}

/** The order to try: the pinned backend first (if any), then the environment's own order. */
export function backendOrder(preference: BackendPreference, candidates: BackendName[]): BackendName[] {
  if (preference === 'auto') return [...candidates];
  return [preference, ...candidates.filter((c) => c !== preference)];
}

export async function chooseBackend(
  tf: TF,
  preference: BackendPreference,
  candidates: BackendName[],
): Promise<BackendChoice> {
  const tried: BackendTrial[] = [];
  for (const name of backendOrder(preference, candidates)) {
    const reason = await probeBackend(tf, name);
    tried.push({ backend: name, ok: reason === null, ...(reason ? { reason } : {}) });
    if (reason === null) return { backend: name, tried };
  }
  throw new NoBackendError(tried);
}

/** Sets `name` as the backend and runs one training step; returns null when it works, else why not. */
export async function probeBackend(tf: TF, name: BackendName): Promise<string | null> {
  if (!(name in tf.engine().registryFactory)) {
    // tfjs registers WebGPU only where navigator.gpu exists: the page's sandbox worker (an
    // opaque-origin frame's) has none in Chromium, though the lab worker and the page do.
    const hasGpu = !!(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
    return name === 'webgpu' && !hasGpu
      ? 'not available here: this context has no navigator.gpu'
      : 'not available in this build';
  }
  // The reference step on the CPU backend first (once per tfjs instance): the probe compares to it.
  let reference: ProbeStep | null = null;
  if (name !== 'cpu' && 'cpu' in tf.engine().registryFactory) {
    try {
      reference = await cpuReference(tf);
    } catch {
      reference = null;
    }
  }
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return 'could not initialise (no adapter or context)';
    await tf.ready();
  } catch (error) {
    return `could not initialise: ${errorText(error)}`;
  }
  try {
    const step = await probeTrainingStep(tf);
    if (!Number.isFinite(step.loss)) return `probe training step gave a non-finite loss (${step.loss})`;
    const nonFinite = step.grads.findIndex((values) => !values.every(Number.isFinite));
    if (nonFinite >= 0)
      return `probe training step gave a non-finite gradient (${PROBE_VARIABLES[nonFinite]})`;
    if (reference) {
      const mismatch = compareProbeSteps(step, reference);
      if (mismatch) return `probe training step differs from the CPU backend: ${mismatch}`;
    }
    return null;
  } catch (error) {
    return `probe training step failed: ${errorText(error)}`;
  }
}

/** One probe step's loss and gradients, in `PROBE_VARIABLES`' order. */
export interface ProbeStep {
  loss: number;
  grads: Float32Array[];
}

const PROBE_VARIABLES = ['conv', 'depthwise', 'dense', 'bias'] as const;

const cpuReferences = new WeakMap<object, Promise<ProbeStep>>();

/** The probe step on the CPU backend, computed once per tfjs instance; the backend is restored. */
function cpuReference(tf: TF): Promise<ProbeStep> {
  let reference = cpuReferences.get(tf);
  if (!reference) {
    reference = (async () => {
      const previous = tf.getBackend();
      await tf.setBackend('cpu');
      try {
        return await probeTrainingStep(tf);
      } finally {
        if (previous && previous !== 'cpu') await tf.setBackend(previous).catch(() => false);
      }
    })();
    cpuReferences.set(tf, reference);
    reference.catch(() => cpuReferences.delete(tf));
  }
  return reference;
}

/**
 * Where `step` is further from the CPU's `reference` than float32 arithmetic in another order
 * explains (0.001 plus 2 % of the largest reference value, per tensor); null when it is not. All
 * zeros where the CPU has values, or NaN, always differ.
 */
export function compareProbeSteps(step: ProbeStep, reference: ProbeStep): string | null {
  const lossTolerance = 1e-3 + 2e-2 * Math.abs(reference.loss);
  if (!(Math.abs(step.loss - reference.loss) <= lossTolerance)) {
    return `loss ${step.loss} against ${reference.loss}`;
  }
  for (let v = 0; v < reference.grads.length; v++) {
    const want = reference.grads[v];
    const got = step.grads[v];
    if (!got || got.length !== want.length) return `the ${PROBE_VARIABLES[v]} gradient has the wrong size`;
    let largest = 0;
    for (const value of want) largest = Math.max(largest, Math.abs(value));
    const tolerance = 1e-3 + 2e-2 * largest;
    for (let i = 0; i < want.length; i++) {
      if (!(Math.abs(got[i] - want[i]) <= tolerance)) {
        return `the ${PROBE_VARIABLES[v]} gradient's value ${i} is ${got[i]} against ${want[i]}`;
      }
    }
  }
  return null;
}

/** Fixed values in [-scale, scale], the same on every backend (no backend's random generator). */
function fixedValues(size: number, salt: number, scale: number): Float32Array {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const s = Math.sin((i + 1) * 12.9898 + salt * 78.233) * 43758.5453;
    values[i] = (s - Math.floor(s) - 0.5) * 2 * scale;
  }
  return values;
}

/**
 * One forward and backward step of a tiny network with the layer types the exercises train:
 * conv2d + ReLU, max pooling, depthwise conv, average pooling, dense with bias, and softmax
 * cross-entropy. Returns the loss and every gradient, read back to the CPU.
 */
export async function probeTrainingStep(tf: TF): Promise<ProbeStep> {
  const variables = tf.tidy(() => [
    tf.variable(tf.tensor4d(fixedValues(3 * 3 * 3 * 4, 1, 0.3), [3, 3, 3, 4])),
    tf.variable(tf.tensor4d(fixedValues(3 * 3 * 4, 2, 0.3), [3, 3, 4, 1])),
    tf.variable(tf.tensor2d(fixedValues(16 * 3, 3, 0.5), [16, 3])),
    tf.variable(tf.tensor1d(fixedValues(3, 4, 0.1))),
  ]);
  try {
    const { value, grads } = tf.tidy(() => {
      const x = tf.tensor4d(fixedValues(2 * 8 * 8 * 3, 5, 1), [2, 8, 8, 3]);
      const y = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
      const [conv, depthwise, dense, bias] = variables;
      return tf.variableGrads(() => {
        let h = tf.relu(tf.conv2d(x, conv as never, 1, 'same'));
        h = tf.maxPool(h, 2, 2, 'valid');
        h = tf.depthwiseConv2d(h, depthwise as never, 1, 'same');
        h = tf.avgPool(h, 2, 2, 'valid');
        const logits = tf.add(tf.matMul(tf.reshape(h, [2, 16]), dense), bias);
        return tf.losses.softmaxCrossEntropy(y, logits) as import('@tensorflow/tfjs').Scalar;
      }, variables);
    });
    const ordered = variables.map((v) => grads[v.name]);
    try {
      const gradValues = await Promise.all(ordered.map((g) => g.data() as Promise<Float32Array>));
      const loss = (await value.data())[0];
      return { loss, grads: gradValues.map((values) => Float32Array.from(values)) };
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  } finally {
    tf.dispose(variables);
  }
}

/**
 * Whether an error says the backend itself broke (a lost GPU device or WebGL context, a buffer
 * that can no longer be mapped) rather than the learner's code: such a run is restarted on the
 * next backend.
 */
export function isBackendLossError(error: unknown): boolean {
  const text = `${(error as { name?: unknown })?.name ?? ''}: ${errorText(error)}`;
  return BACKEND_LOSS.test(text);
}

const BACKEND_LOSS =
  /mapAsync|GPUBuffer|GPUDevice|device (?:was |is |has been )?lost|Instance reference no longer exists|context (?:was |is )?lost|CONTEXT_LOST|backend .* lost/i;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
