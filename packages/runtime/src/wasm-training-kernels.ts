/**
 * Makes tfjs's WASM backend able to train CNNs and MobileNets, fast: registers gradient kernels the
 * backend lacks (conv2d filter gradient, depthwise gradients), replaces shipped ones that are slow
 * (conv2d input gradient, max-pool gradient), and wraps shipped kernels: convolutions get 'same'
 * padding explicitly (a shipped bug, see explicit-same-padding), matmuls get explicit transposes,
 * sums and means over leading axes our own kernel, Identity and same-dtype Cast share data.
 * Convolutions go to XNNPACK as matmuls; everything around them runs in our own WASM SIMD kernels
 * (simd/kernels.as, built by scripts/build-kernels.mjs), which work in place on the backend's heap,
 * including sparse convolution gradients (a dy behind ReLU and max pooling is mostly zeros).
 * Beyond kernels, all active on 'wasm' only and falling back to tfjs's own code on every other
 * backend: the gradients of Relu, ClipByValue and Mean run as one kernel each, and
 * AdamOptimizer.applyGradients runs one kernel per variable (see activation-gradients,
 * mean-gradient, adam-step); the tfjs-layers classes BatchNormalization (training mode), ReLU (with
 * a maximum) and Conv2D (no bias, linear) get a `call` that runs our fused kernels (see
 * batch-norm-training, relu6, conv2d-layer, layer-call-patch). Pointwise (1x1) convolutions run as
 * our register-blocked matrix products (pointwise-forward, conv2d-backprop-*).
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
import {
  activationGradientConfigs,
  installWasmActivationGradients,
} from './wasm-kernels/activation-gradients';
import { adamStepConfig, installWasmAdamStep } from './wasm-kernels/adam-step';
import { batchNormGradSumsConfig, installWasmBatchNormGradient } from './wasm-kernels/batch-norm-gradient';
import { batchNormTrainingConfigs, installWasmBatchNormTraining } from './wasm-kernels/batch-norm-training';
import { installWasmRelu6, relu6Configs } from './wasm-kernels/relu6';
import { installWasmMeanGradient } from './wasm-kernels/mean-gradient';
import { installWasmConv2dLayer } from './wasm-kernels/conv2d-layer';
import {
  isPointwiseForwardWrapper,
  POINTWISE_FORWARD_KERNELS,
  withPointwiseForward,
} from './wasm-kernels/pointwise-forward';
import { conv2dBackpropFilterConfig } from './wasm-kernels/conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './wasm-kernels/conv2d-backprop-input';
import { depthwiseBackpropFilterConfig } from './wasm-kernels/depthwise-backprop-filter';
import { depthwiseBackpropInputConfig } from './wasm-kernels/depthwise-backprop-input';
import { isMatmulWrapper, MATMUL_KERNELS, withExplicitTransposes } from './wasm-kernels/matmul-transposes';
import { maxPoolGradConfig } from './wasm-kernels/max-pool-grad';
import { isSumWrapper, withFastLeadingSum } from './wasm-kernels/sum-leading-axes';
import { isRowBroadcastWrapper, ROW_BROADCAST_KERNELS, withRowBroadcast } from './wasm-kernels/row-broadcast';
import { isSharedCopyWrapper, SHARED_COPY_KERNELS, withSharedData } from './wasm-kernels/shared-copies';
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
  ...activationGradientConfigs,
  adamStepConfig,
  batchNormGradSumsConfig,
  ...batchNormTrainingConfigs,
  ...relu6Configs,
];

/** Shipped kernels we keep but wrap: which, how, and how to recognise our wrapper. */
const WRAPPED_KERNELS: {
  names: string[];
  wrap: (c: KernelConfig) => KernelConfig;
  isWrapper: (f: KernelFunc) => boolean;
}[] = [
  {
    names: SAME_PADDING_WRAPPED_KERNELS,
    wrap: withExplicitSamePadding,
    // Conv2D and FusedConv2D get the pointwise wrapper on top of this one (below): seeing it, this
    // one is in place too
    isWrapper: (f) => isExplicitPaddingWrapper(f) || isPointwiseForwardWrapper(f),
  },
  { names: POINTWISE_FORWARD_KERNELS, wrap: withPointwiseForward, isWrapper: isPointwiseForwardWrapper },
  { names: MATMUL_KERNELS, wrap: withExplicitTransposes, isWrapper: isMatmulWrapper },
  { names: ['Sum', 'Mean'], wrap: withFastLeadingSum, isWrapper: isSumWrapper },
  { names: SHARED_COPY_KERNELS, wrap: withSharedData, isWrapper: isSharedCopyWrapper },
  { names: ROW_BROADCAST_KERNELS, wrap: withRowBroadcast, isWrapper: isRowBroadcastWrapper },
];

function replaceKernel(config: KernelConfig): void {
  if (getKernel(config.kernelName, config.backendName) != null) {
    // Unregistering first avoids tfjs's "already registered" warning.
    unregisterKernel(config.kernelName, config.backendName);
  }
  registerKernel(config);
}

export function registerWasmTrainingKernels(): void {
  installWasmActivationGradients();
  installWasmAdamStep();
  installWasmBatchNormGradient();
  installWasmBatchNormTraining();
  installWasmRelu6();
  installWasmMeanGradient();
  installWasmConv2dLayer();
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
