/**
 * A trained model as plain JSON, so it can travel inside a submission file and be re-graded
 * elsewhere: the Keras-style topology tfjs writes, the weight specs, the weights as base64, and
 * the SHA-256 of those weight bytes.
 *
 * The hash: tfjs writes the weights of `model.weights`, in that order, each as its raw bytes
 * (float32 or int32, little-endian), one after the other. That is exactly the byte string the
 * grader's `hashModelWeights(model)` hashes, so for any model whose weights are float32 or int32
 * (every model CV Lab trains) `weightsSha256` equals the report's `modelHash`. A lead can therefore
 * compare the report's `modelHash` with the model shipped beside it without loading anything.
 */
import { registerAugmentationLayers } from '../augment/layers';
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';
import { z } from 'zod';
import { sha256Hex } from '../shared/bytes';
import { base64ToBytes, bytesToBase64 } from '../shared/base64';
import { FormatError, formatSize } from '../shared/format-error';

/** Weights larger than this are refused: a MobileNet v2 at full width is about 14 MB. */
export const MAX_WEIGHT_BYTES = 48 * 1024 * 1024;
/** The base64 text of `MAX_WEIGHT_BYTES`. */
export const MAX_WEIGHT_BASE64_CHARS = Math.ceil(MAX_WEIGHT_BYTES / 3) * 4;
/** Topology JSON larger than this is refused (a MobileNet's is about 100 KB). */
export const MAX_TOPOLOGY_CHARS = 2 * 1024 * 1024;

const DTYPE_BYTES = { float32: 4, int32: 4 } as const;

export const WeightSpecSchema = z.strictObject({
  name: z.string().min(1).max(500),
  shape: z.array(z.number().int().nonnegative().max(1e9)).max(8),
  dtype: z.enum(['float32', 'int32']),
});
export type WeightSpec = z.infer<typeof WeightSpecSchema>;

export const ModelArtifactsJsonSchema = z
  .strictObject({
    /** tfjs's model topology (`model.toJSON()` as an object): checked by tfjs when loaded. */
    modelTopology: z.record(z.string(), z.unknown()),
    weightSpecs: z.array(WeightSpecSchema).max(10_000),
    /** The weight bytes, in `weightSpecs` order, standard base64. */
    weightDataBase64: z.string().max(MAX_WEIGHT_BASE64_CHARS),
    /** SHA-256 (hex) of the decoded weight bytes; equals the report's `modelHash`. */
    weightsSha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
    /** Size of the decoded weight bytes. */
    byteLength: z.number().int().nonnegative().max(MAX_WEIGHT_BYTES),
    /** Which tfjs wrote it, for the record. */
    generatedBy: z.string().max(200).optional(),
  })
  .superRefine((artifacts, ctx) => {
    const expected = artifacts.weightSpecs.reduce(
      (sum, spec) => sum + spec.shape.reduce((n, d) => n * d, 1) * DTYPE_BYTES[spec.dtype],
      0,
    );
    if (expected !== artifacts.byteLength) {
      ctx.addIssue({
        code: 'custom',
        path: ['byteLength'],
        message: `the weight specs describe ${expected} bytes but byteLength is ${artifacts.byteLength}`,
      });
    }
    if (JSON.stringify(artifacts.modelTopology).length > MAX_TOPOLOGY_CHARS) {
      ctx.addIssue({
        code: 'custom',
        path: ['modelTopology'],
        message: `larger than the ${formatSize(MAX_TOPOLOGY_CHARS)} allowed`,
      });
    }
  });
export type ModelArtifactsJson = z.infer<typeof ModelArtifactsJsonSchema>;

/**
 * Captures a model's artifacts in memory (`model.save` through a save handler; nothing is written
 * anywhere). The optimizer's state is not included: re-grading needs the weights alone.
 */
export async function serializeModel(tf: TF, model: tfType.LayersModel): Promise<ModelArtifactsJson> {
  let captured: tfType.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured) throw new Error('the model: tfjs saved nothing');
  return artifactsToJson(tf, captured, 'the model');
}

/**
 * tfjs's saved artifacts (from any handler: the in-memory capture above, the browser's IndexedDB
 * for a kept model) as the JSON form a submission carries, with the SHA-256 of the weight bytes
 * (the report's `modelHash`), validated like a file read back (a stored record may have come from
 * an imported backup). Throws, naming `what`, for what a submission cannot carry: other dtypes,
 * quantized or oversized weights, no Keras topology.
 */
export async function artifactsToJson(
  tf: TF,
  artifacts: tfType.io.ModelArtifacts,
  what: string,
): Promise<ModelArtifactsJson> {
  if (!artifacts.modelTopology || artifacts.modelTopology instanceof ArrayBuffer || !artifacts.weightSpecs) {
    throw new Error(`${what} has no Keras topology or weight specs`);
  }
  const weightSpecs = artifacts.weightSpecs.map((spec) => {
    if (spec.quantization) throw new Error(`weight ${spec.name} of ${what} is quantized`);
    if (spec.dtype !== 'float32' && spec.dtype !== 'int32') {
      throw new Error(`weight ${spec.name} of ${what} is ${spec.dtype}; only float32 and int32 travel`);
    }
    return { name: spec.name, shape: [...spec.shape], dtype: spec.dtype };
  });
  const weightData = artifacts.weightData
    ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
    : new Uint8Array(0);
  if (weightData.byteLength > MAX_WEIGHT_BYTES) {
    throw new Error(
      `the weights of ${what} take ${formatSize(weightData.byteLength)}, more than the ${formatSize(MAX_WEIGHT_BYTES)} a submission may carry`,
    );
  }
  const parsed = ModelArtifactsJsonSchema.safeParse({
    modelTopology: artifacts.modelTopology,
    weightSpecs,
    weightDataBase64: bytesToBase64(weightData),
    weightsSha256: await sha256Hex(weightData),
    byteLength: weightData.byteLength,
    ...(artifacts.generatedBy ? { generatedBy: artifacts.generatedBy } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${what} is damaged: ${issue?.path.join('.') || 'model'}: ${issue?.message}`);
  }
  return parsed.data;
}

/** The most layers a model may have to be graded: MobileNet v2 has 155; padding beyond is an attack. */
export const MAX_GRADED_LAYERS = 1000;

/**
 * Refuses, before tfjs builds anything, a topology too large to grade in bounded time: a model
 * padded with thousands of identity layers keeps its weights (and their hash) and makes every
 * prediction crawl. Counts layers at every depth of the Keras JSON.
 */
export function assertGradableTopology(artifacts: Pick<ModelArtifactsJson, 'modelTopology'>): void {
  let layers = 0;
  const visit = (node: unknown, depth: number): void => {
    if (depth > 64) throw new FormatError('model topology: nested more than 64 levels deep');
    if (Array.isArray(node)) {
      node.forEach((child) => visit(child, depth + 1));
      return;
    }
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record.class_name === 'string' && record.config && typeof record.config === 'object') {
      layers += 1;
    }
    for (const value of Object.values(record)) visit(value, depth + 1);
  };
  visit(artifacts.modelTopology, 0);
  if (layers > MAX_GRADED_LAYERS) {
    throw new FormatError(
      `the model has ${layers} layers and configs; the grader takes at most ${MAX_GRADED_LAYERS}`,
    );
  }
}

/**
 * Decodes the weight bytes and checks their size and SHA-256 against the artifacts' own fields.
 * Returns the bytes and the hash found, so a caller may flag a mismatch instead of refusing.
 */
export async function decodeWeights(
  artifacts: ModelArtifactsJson,
): Promise<{ bytes: Uint8Array; sha256: string; hashMatches: boolean }> {
  // Sized before decoding: the text must be exactly the base64 of `byteLength` bytes.
  const expectedChars = Math.ceil(artifacts.byteLength / 3) * 4;
  if (artifacts.weightDataBase64.length !== expectedChars) {
    throw new FormatError(
      `model.weightDataBase64: ${artifacts.weightDataBase64.length} characters, but ${artifacts.byteLength} bytes of weights take ${expectedChars}`,
    );
  }
  const bytes = base64ToBytes(artifacts.weightDataBase64, 'model.weightDataBase64');
  if (bytes.byteLength !== artifacts.byteLength) {
    throw new FormatError(
      `model.weightDataBase64: decodes to ${bytes.byteLength} bytes, but byteLength is ${artifacts.byteLength}`,
    );
  }
  const sha256 = await sha256Hex(bytes);
  return { bytes, sha256, hashMatches: sha256 === artifacts.weightsSha256 };
}

export interface DeserializeOptions {
  /**
   * Refuse weights whose SHA-256 differs from `weightsSha256` (default true). The re-grader turns
   * it off after flagging the mismatch, to grade the model as shipped.
   */
  verifyHash?: boolean;
}

/**
 * Rebuilds a `tf.LayersModel` from artifacts (`tf.io.fromMemory`), after checking the weights'
 * size and hash. Throws a `FormatError` for bad weights; tfjs's own error for a topology it
 * cannot build. The caller owns (and disposes) the model.
 */
export async function deserializeModel(
  tf: TF,
  artifacts: ModelArtifactsJson,
  options: DeserializeOptions = {},
): Promise<tfType.LayersModel> {
  const { bytes, sha256, hashMatches } = await decodeWeights(artifacts);
  if (options.verifyHash !== false && !hashMatches) {
    throw new FormatError(
      `model weights: SHA-256 is ${sha256}, the file says ${artifacts.weightsSha256}: the weights were changed`,
    );
  }
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  // A learner's model may contain our augmentation layers: their classes must be known to load it.
  registerAugmentationLayers(tf);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: artifacts.modelTopology,
      weightSpecs: artifacts.weightSpecs,
      weightData,
    }),
  );
}
