/**
 * Makes tfjs's WASM backend able to train CNNs and MobileNets, fast: registers gradient kernels the
 * backend lacks (conv2d filter gradient, depthwise gradients), replaces shipped ones that are slow
 * (conv2d input gradient, max-pool gradient), mostly rewritten as the backend's own XNNPACK-backed
 * forward kernels, and wraps shipped kernels: convolutions get 'same' padding explicitly (a shipped
 * bug, see explicit-same-padding), matmuls get explicit transposes, sums over leading axes a JS loop.
 *
 * When to call: AFTER `import '@tensorflow/tfjs-backend-wasm'` (that import registers the shipped
 * kernels we wrap) and before or after `tf.setBackend('wasm')`, either works: our gradient kernels
 * have no setup function (they look up the shipped kernels they compose at call time) and the
 * wrappers carry the shipped setup function along, so the backend's initialisation prepares them in
 * either order. It is idempotent. It imports only tfjs-core, so it works in Node and in browsers.
 */
import {
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
} from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './wasm-kernels/conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './wasm-kernels/conv2d-backprop-input';
import { depthwiseBackpropFilterConfig } from './wasm-kernels/depthwise-backprop-filter';
import { depthwiseBackpropInputConfig } from './wasm-kernels/depthwise-backprop-input';
import { isMatmulWrapper, MATMUL_KERNELS, withExplicitTransposes } from './wasm-kernels/matmul-transposes';
import { maxPoolGradConfig } from './wasm-kernels/max-pool-grad';
import { isSumWrapper, withFastLeadingSum } from './wasm-kernels/sum-leading-axes';
import { tileConfig } from './wasm-kernels/tile';
import {
  isExplicitPaddingWrapper,
  SAME_PADDING_WRAPPED_KERNELS,
  withExplicitSamePadding,
} from './wasm-kernels/explicit-same-padding';

/** Every kernel of ours put on the 'wasm' backend, in registration order. */
export const wasmTrainingKernelConfigs: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  maxPoolGradConfig,
  tileConfig,
];

/** Shipped kernels we keep but wrap: which, how, and how to recognise our wrapper. */
const WRAPPED_KERNELS: {
  names: string[];
  wrap: (c: KernelConfig) => KernelConfig;
  isWrapper: (f: KernelFunc) => boolean;
}[] = [
  { names: SAME_PADDING_WRAPPED_KERNELS, wrap: withExplicitSamePadding, isWrapper: isExplicitPaddingWrapper },
  { names: MATMUL_KERNELS, wrap: withExplicitTransposes, isWrapper: isMatmulWrapper },
  { names: ['Sum'], wrap: withFastLeadingSum, isWrapper: isSumWrapper },
];

function replaceKernel(config: KernelConfig): void {
  if (getKernel(config.kernelName, config.backendName) != null) {
    // Unregistering first avoids tfjs's "already registered" warning.
    unregisterKernel(config.kernelName, config.backendName);
  }
  registerKernel(config);
}

export function registerWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernelConfigs) {
    if (getKernel(config.kernelName, 'wasm')?.kernelFunc !== config.kernelFunc) {
      replaceKernel(config);
    }
  }
  for (const { names, wrap, isWrapper } of WRAPPED_KERNELS) {
    for (const kernelName of names) {
      const shipped = getKernel(kernelName, 'wasm');
      if (shipped != null && !isWrapper(shipped.kernelFunc)) {
        replaceKernel(wrap(shipped));
      }
    }
  }
}
