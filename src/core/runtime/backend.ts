/**
 * Choosing the backend a run trains on.
 *
 * Each candidate is probed with one tiny training step through the layer types our exercises
 * use (conv, pooling, depthwise conv, dense and their gradients). A backend that is missing, lacks a
 * kernel, throws or produces a non-finite number is skipped with its reason, and the next one is
 * tried. Probing catches what `setBackend` alone does not: a WebGPU adapter that exists but
 * cannot run a gradient kernel, or a WASM build without the training kernels.
 */
import type { TF } from '../shared/tf';

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
  if (!(name in tf.engine().registryFactory)) return 'not available in this build';
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return 'could not initialise (no adapter or context)';
    await tf.ready();
  } catch (error) {
    return `could not initialise: ${errorText(error)}`;
  }
  try {
    const loss = await probeTrainingStep(tf);
    if (!Number.isFinite(loss)) return `probe training step gave a non-finite loss (${loss})`;
    return null;
  } catch (error) {
    return `probe training step failed: ${errorText(error)}`;
  }
}

/**
 * One step of a tiny network with every layer type the exercises train: conv2d, max and
 * average pooling, depthwise conv, dense. Returns the loss after reading the gradients back.
 */
async function probeTrainingStep(tf: TF): Promise<number> {
  const variables = tf.tidy(() => ({
    conv: tf.variable(tf.randomNormal([3, 3, 3, 4], 0, 0.1, 'float32', 1)),
    depthwise: tf.variable(tf.randomNormal([3, 3, 4, 1], 0, 0.1, 'float32', 2)),
    dense: tf.variable(tf.randomNormal([16, 2], 0, 0.1, 'float32', 3)),
  }));
  try {
    const { value, grads } = tf.tidy(() => {
      const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 4) as import('@tensorflow/tfjs').Tensor4D;
      const y = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 2);
      return tf.variableGrads(() => {
        let h = tf.relu(tf.conv2d(x, variables.conv as never, 1, 'same'));
        h = tf.maxPool(h, 2, 2, 'valid');
        h = tf.depthwiseConv2d(h, variables.depthwise as never, 1, 'same');
        h = tf.avgPool(h, 2, 2, 'valid');
        const logits = tf.matMul(tf.reshape(h, [2, 16]), variables.dense);
        return tf.losses.softmaxCrossEntropy(y, logits) as import('@tensorflow/tfjs').Scalar;
      }, Object.values(variables));
    });
    const gradValues = await Promise.all(Object.values(grads).map((g) => g.data()));
    const loss = (await value.data())[0];
    tf.dispose([value, ...Object.values(grads)]);
    const finite = gradValues.every((values) => values.every(Number.isFinite));
    return finite ? loss : Number.NaN;
  } finally {
    tf.dispose(Object.values(variables));
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
