/**
 * Adam on WASM in one kernel per variable. tfjs's AdamOptimizer updates each variable with a dozen
 * element-wise ops (mul, add, square, div, sqrt, each a kernel call with scalar broadcasting): for
 * MobileNet's 80-odd variables that is about a thousand kernel calls a step, for the CNN a few
 * milliseconds. `installWasmAdamStep` wraps `AdamOptimizer.prototype.applyGradients` so that, on the
 * 'wasm' backend only, each variable takes one step of our kernel (simd/kernels.as `adamStep`, the
 * same float32 operations in the same order); every other backend runs tfjs's own method. The
 * optimizer's state (moments, accumulated betas, iterations) is kept exactly as tfjs keeps it, so
 * `getWeights`/`setWeights` and serialisation are unchanged. This is what `optimizer: 'adam'` and
 * `tf.train.adam()` create, so learner code gets it without doing anything.
 */
import {
  AdamOptimizer,
  engine,
  getBackend,
  sub,
  tidy,
  zerosLike,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorMap,
  type Tensor,
  type TensorInfo,
  type Variable,
} from '@tensorflow/tfjs-core';
import { heapPointer, simdKernels } from '../simd/simd-kernels';
import type { WasmBackend } from './scratch';

export const ADAM_STEP = 'CvLabAdamStep';

interface AdamStepAttrs extends NamedAttrMap {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  c1: number;
  c2: number;
}

function adamStep(args: {
  inputs: { value: TensorInfo; m: TensorInfo; v: TensorInfo; gradient: TensorInfo };
  backend: WasmBackend;
  attrs: AdamStepAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { value, m, v, gradient } = inputs;
  const outputs = [value, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  const ptr = (t: TensorInfo) => heapPointer(backend, t);
  simdKernels(backend).adamStep(
    ptr(value),
    ptr(m),
    ptr(v),
    ptr(gradient),
    ptr(outputs[0]),
    ptr(outputs[1]),
    ptr(outputs[2]),
    value.shape.reduce((a, b) => a * b, 1),
    attrs.beta1,
    1 - attrs.beta1,
    attrs.beta2,
    1 - attrs.beta2,
    attrs.c1,
    attrs.c2,
    attrs.epsilon,
    -attrs.learningRate,
  );
  return outputs;
}

export const adamStepConfig: KernelConfig = {
  kernelName: ADAM_STEP,
  backendName: 'wasm',
  kernelFunc: adamStep as unknown as KernelFunc,
};

/** The AdamOptimizer fields applyGradients uses (protected in tfjs's typings). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: Variable } | undefined)[];
  incrementIterations(): void;
}

type ApplyGradients = AdamOptimizer['applyGradients'];
type VariableGradients = Parameters<ApplyGradients>[0];

const patched = new WeakSet<ApplyGradients>();

function applyGradientsFused(this: AdamState, variableGradients: VariableGradients): void {
  const list = Array.isArray(variableGradients) ? variableGradients : undefined;
  const varNames = list ? list.map((v) => v.name) : Object.keys(variableGradients);
  tidy(() => {
    const c1 = sub(1, this.accBeta1).dataSync()[0];
    const c2 = sub(1, this.accBeta2).dataSync()[0];
    varNames.forEach((name, i) => {
      const value = engine().registeredVariables[name];
      if (this.accumulatedFirstMoment[i] == null) {
        this.accumulatedFirstMoment[i] = {
          originalName: `${name}/m`,
          variable: tidy(() => zerosLike(value).variable(false)),
        };
      }
      if (this.accumulatedSecondMoment[i] == null) {
        this.accumulatedSecondMoment[i] = {
          originalName: `${name}/v`,
          variable: tidy(() => zerosLike(value).variable(false)),
        };
      }
      const gradient = list ? list[i].tensor : (variableGradients as NamedTensorMap)[name];
      if (gradient == null) return;
      const firstMoment = this.accumulatedFirstMoment[i]!.variable;
      const secondMoment = this.accumulatedSecondMoment[i]!.variable;
      const attrs: AdamStepAttrs = {
        beta1: this.beta1,
        beta2: this.beta2,
        epsilon: this.epsilon,
        learningRate: this.learningRate,
        c1,
        c2,
      };
      const [newValue, newFirst, newSecond] = engine().runKernel(
        ADAM_STEP,
        { value, m: firstMoment, v: secondMoment, gradient },
        attrs,
      ) as Tensor[];
      firstMoment.assign(newFirst);
      secondMoment.assign(newSecond);
      value.assign(newValue);
    });
    this.accBeta1.assign(this.accBeta1.mul(this.beta1));
    this.accBeta2.assign(this.accBeta2.mul(this.beta2));
  });
  this.incrementIterations();
}

/** Routes AdamOptimizer.applyGradients through our kernel on 'wasm' (idempotent). */
export function installWasmAdamStep(): void {
  const prototype = AdamOptimizer.prototype;
  if (patched.has(prototype.applyGradients)) return;
  const original = prototype.applyGradients;
  const wrapper: ApplyGradients = function (this: AdamOptimizer, variableGradients) {
    const usable =
      getBackend() === 'wasm' &&
      Object.values(
        Array.isArray(variableGradients) ? variableGradients.map((v) => v.tensor) : variableGradients,
      )
        .filter((t) => t != null)
        .every((t) => t.dtype === 'float32');
    if (!usable) return original.call(this, variableGradients);
    return applyGradientsFused.call(this as unknown as AdamState, variableGradients);
  };
  patched.add(wrapper);
  prototype.applyGradients = wrapper;
}
