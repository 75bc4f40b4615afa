/**
 * Whether a convolution is pointwise: 1x1, stride 1, unpadded (MobileNet's pointwise layers). Then
 * every output position is one input position, x and dy are [N*H*W, C] matrices, and both gradients
 * are plain matrix products with no gathering (see conv2d-backprop-filter, conv2d-backprop-input).
 */
import type { backend_util } from '@tensorflow/tfjs-core';

export function isPointwise(info: backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    info.outHeight === info.inHeight &&
    info.outWidth === info.inWidth
  );
}
