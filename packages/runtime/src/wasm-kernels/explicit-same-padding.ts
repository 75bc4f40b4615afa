/**
 * The shipped WASM convolutions (plain, depthwise, fused) compute wrong values for a 1xK filter at
 * stride 2 with 'same' padding (XNNPACK's own SAME-padding path; measured with tfjs 4.22, e.g. a
 * 1x3 filter over 8x9 input). Computing the 'same' pads in JS and passing them explicitly avoids that
 * path and costs nothing. The wrapper keeps the shipped setup function, so that the backend still
 * prepares the shipped kernel when it initialises after this registration.
 */
import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

const DEPTHWISE_KERNELS = new Set(['DepthwiseConv2dNative', 'FusedDepthwiseConv2D']);
export const SAME_PADDING_WRAPPED_KERNELS = [
  'Conv2D',
  'FusedConv2D',
  'DepthwiseConv2dNative',
  'FusedDepthwiseConv2D',
];

const wrappers = new WeakSet<KernelFunc>();

export function isExplicitPaddingWrapper(kernelFunc: KernelFunc): boolean {
  return wrappers.has(kernelFunc);
}

export function withExplicitSamePadding(shipped: KernelConfig): KernelConfig {
  const depthwise = DEPTHWISE_KERNELS.has(shipped.kernelName);
  const kernelFunc: KernelFunc = (args) => {
    const attrs = args.attrs as NamedAttrMap & {
      pad: unknown;
      strides: number | [number, number];
      dilations?: number | [number, number];
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      dataFormat?: string;
    };
    if (attrs.pad !== 'same' || (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC')) {
      return shipped.kernelFunc(args);
    }
    const x = args.inputs.x as TensorInfo;
    const filter = args.inputs.filter as TensorInfo;
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      attrs.dilations ?? 1,
      'same',
      attrs.dimRoundingMode,
      depthwise,
    );
    const { top, bottom, left, right } = info.padInfo;
    const pad = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    return shipped.kernelFunc({ ...args, attrs: { ...attrs, pad } as unknown as NamedAttrMap });
  };
  wrappers.add(kernelFunc);
  return { ...shipped, kernelFunc };
}
