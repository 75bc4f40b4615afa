/**
 * The type of the tfjs namespace, as every `tf` parameter of the runtime takes it: the instance
 * itself is always handed in, so the page and Node bring their own backends. The app declares the
 * same type in src/core/shared/tf.ts, which the learner's editor typings need self-contained; this
 * package imports nothing of src (README.md), so it says it once more.
 */
import type * as tfType from '@tensorflow/tfjs';

export type TF = typeof tfType;
