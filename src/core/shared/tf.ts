/**
 * The type of the tfjs namespace. The instance itself is always handed in (`tf` parameters), so the
 * page and Node bring their own backends; learner code sees it as `TF` from `cv-lab`.
 */
import type * as tfType from '@tensorflow/tfjs';

export type TF = typeof tfType;
