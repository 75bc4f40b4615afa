/**
 * Counts the floating-point operations of a LayersModel per image, by layer type: 2 per
 * multiply-add of convolutions and dense layers (the work that matters; element-wise layers are
 * counted as zero). A training step does the forward pass, the weight gradient (the same work again)
 * and the input gradient (the same again, except for the first layer, whose input needs none).
 */
import type { LayersModel } from '@tensorflow/tfjs';

export type LayerKind = 'conv2d' | 'depthwise' | 'dense';

export interface LayerFlops {
  name: string;
  kind: LayerKind;
  forward: number;
  training: number;
}

export interface ModelFlops {
  forwardPerImage: number;
  trainingPerImage: number;
  layers: LayerFlops[];
  byKind: Record<LayerKind, { forward: number; training: number }>;
}

interface LayerLike {
  name: string;
  getClassName(): string;
  input: { shape: (number | null)[] } | { shape: (number | null)[] }[];
  outputShape: unknown;
  getConfig(): Record<string, unknown>;
}

function shapeOf(shape: unknown): number[] {
  const first = Array.isArray(shape) && Array.isArray(shape[0]) ? shape[0] : shape;
  return (first as (number | null)[]).map((d) => d ?? 1);
}

function kernelArea(config: Record<string, unknown>): number {
  const size = config.kernelSize as number | number[];
  return Array.isArray(size) ? size.reduce((a, b) => a * b, 1) : size * size;
}

function forwardFlops(layer: LayerLike): { kind: LayerKind; flops: number } | null {
  const config = layer.getConfig();
  const input = shapeOf(Array.isArray(layer.input) ? layer.input[0].shape : layer.input.shape);
  const output = shapeOf(layer.outputShape);
  switch (layer.getClassName()) {
    case 'Conv2D': {
      const [, oh, ow, cout] = output;
      return { kind: 'conv2d', flops: 2 * oh * ow * cout * kernelArea(config) * input[3] };
    }
    case 'DepthwiseConv2D': {
      const [, oh, ow, cout] = output;
      return { kind: 'depthwise', flops: 2 * oh * ow * cout * kernelArea(config) };
    }
    case 'Dense': {
      const units = output[output.length - 1];
      const inFeatures = input[input.length - 1];
      const rows = input.slice(1, -1).reduce((a, b) => a * b, 1);
      return { kind: 'dense', flops: 2 * rows * inFeatures * units };
    }
    default:
      return null;
  }
}

export function countModelFlops(model: LayersModel): ModelFlops {
  const layers: LayerFlops[] = [];
  const byKind: ModelFlops['byKind'] = {
    conv2d: { forward: 0, training: 0 },
    depthwise: { forward: 0, training: 0 },
    dense: { forward: 0, training: 0 },
  };
  let first = true;
  for (const layer of model.layers as unknown as LayerLike[]) {
    const counted = forwardFlops(layer);
    if (counted === null) {
      continue;
    }
    const training = counted.flops * (first ? 2 : 3);
    first = false;
    layers.push({ name: layer.name, kind: counted.kind, forward: counted.flops, training });
    byKind[counted.kind].forward += counted.flops;
    byKind[counted.kind].training += training;
  }
  return {
    forwardPerImage: layers.reduce((sum, l) => sum + l.forward, 0),
    trainingPerImage: layers.reduce((sum, l) => sum + l.training, 0),
    layers,
    byKind,
  };
}
