/**
 * tfjs layers run every Conv2D through `tf.fused.conv2d`, whose gradient (a customGrad) computes
 * the input gradient even where nothing needs it: for a model's first layer, whose input is data,
 * that is a whole discarded Conv2DBackpropInput per step (12.8 ms of CPU in a 210 ms MobileNet
 * step). The plain `tf.conv2d` op has per-input gradient closures, which the engine runs only for
 * inputs that lead back to what is differentiated. So on 'wasm' a Conv2D layer without bias and
 * with a linear activation (MobileNet's convolutions: batch norm follows) calls `tf.conv2d`: the same
 * kernel forward (FusedConv2D without bias or activation is Conv2D), the same gradient kernels.
 * Layers with a bias or an activation keep the fused op (one kernel for all three forward); every
 * other backend runs tfjs's call.
 */
import { conv2d, getBackend, tidy, type Tensor, type Tensor4D } from '@tensorflow/tfjs-core';
import { overrideLayerCall, singleInput } from './layer-call-patch';

/** The fields of tfjs-layers' Conv2D that its call reads. */
interface Conv2DLayer {
  rank: number;
  bias?: unknown;
  activation?: { getClassName(): string };
  kernel: { read(): Tensor };
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
}

function linearConv2d(layerArg: unknown, inputs: Tensor | Tensor[]): Tensor | undefined {
  const layer = layerArg as Conv2DLayer;
  const x = singleInput(inputs);
  if (getBackend() !== 'wasm' || x == null || x.rank !== 4 || x.dtype !== 'float32') return undefined;
  if (layer.rank !== 2 || layer.bias != null || layer.dataFormat !== 'channelsLast') return undefined;
  if (layer.activation?.getClassName().toLowerCase() !== 'linear') return undefined;
  if (layer.padding !== 'same' && layer.padding !== 'valid') return undefined;
  const padding = layer.padding;
  const dilations = (
    typeof layer.dilationRate === 'number' ? [layer.dilationRate, layer.dilationRate] : layer.dilationRate
  ) as [number, number];
  const strides = layer.strides as [number, number];
  return tidy(() =>
    conv2d(x as Tensor4D, layer.kernel.read() as Tensor4D, strides, padding, 'NHWC', dilations),
  );
}

/** Patches Conv2D.call (idempotent; retried until tfjs-layers is loaded). */
export function installWasmConv2dLayer(): void {
  overrideLayerCall('Conv2D', linearConv2d);
}
