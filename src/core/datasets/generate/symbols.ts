/**
 * `symbols` and `novel-symbols`: photographed figures drawn like `shapes` (varied colour, size,
 * position, rotation, background, clutter, focus and noise), in two disjoint families:
 * - `symbols`, 20 classes, the pretraining set of our own MobileNet base: polygons, frames, bars,
 *   letters, arrows, dots, so the base learns corners, curves, strokes, holes and concavities;
 * - `novel-symbols`, 5 classes none of which is in `symbols` (heart, lightning bolt, flower, hollow
 *   triangle, horseshoe): the held-out task of the transfer exercises, where a few hundred labels
 *   must be enough.
 */
import type { RawSplit } from '../types';
import { balancedLabels, deriveSeed, Random } from './random';
import { boxDistance, hypot, polygonDistance, regularPolygonDistance } from './raster';
import { drawFigureImage, type FigureOutline, shapeDistance } from './shapes';

type Distance = (u: number, v: number) => number;

const union =
  (...parts: Distance[]): Distance =>
  (u, v) =>
    Math.min(...parts.map((d) => d(u, v)));
const polygon =
  (xs: number[], ys: number[]): Distance =>
  (u, v) =>
    polygonDistance(u, v, xs, ys);
const box =
  (cx: number, cy: number, hx: number, hy: number): Distance =>
  (u, v) =>
    boxDistance(u - cx, v - cy, hx, hy);
const disk =
  (cx: number, cy: number, radius: number): Distance =>
  (u, v) =>
    hypot(u - cx, v - cy) - radius;
/** The outline of a filled figure as a band `thickness` wide inside its edge. */
const frame =
  (filled: Distance, thickness: number): Distance =>
  (u, v) =>
    Math.abs(filled(u, v) + thickness / 2) - thickness / 2;

const regular = regularPolygonDistance;

/** The pretraining figures: `shapes`' six and fourteen more. */
export const SYMBOL_OUTLINES = {
  circle: (r, random) => shapeDistance('circle', r, random),
  square: (r, random) => shapeDistance('square', r, random),
  triangle: (r, random) => shapeDistance('triangle', r, random),
  star: (r, random) => shapeDistance('star', r, random),
  cross: (r, random) => shapeDistance('cross', r, random),
  ring: (r, random) => shapeDistance('ring', r, random),
  pentagon: (r) => regular(5, r * 1.1, -Math.PI / 2),
  hexagon: (r) => regular(6, r * 1.1, 0),
  diamond: (r) => polygon([0, 0.62 * r, 0, -0.62 * r], [-1.25 * r, 0, 1.25 * r, 0]),
  ellipse: (r, random) => {
    const a = r * 1.25;
    const b = r * random.range(0.45, 0.65);
    return (u, v) => (hypot(u / a, v / b) - 1) * b;
  },
  semicircle: (r) => {
    const round = disk(0, 0.3 * r, 1.1 * r);
    return (u, v) => Math.max(round(u, v), v - 0.3 * r);
  },
  bar: (r, random) => box(0, 0, 1.2 * r, r * random.range(0.25, 0.4)),
  'square frame': (r, random) => frame(box(0, 0, 0.8 * r, 0.8 * r), r * random.range(0.22, 0.34)),
  'L shape': (r) => union(box(-0.5 * r, 0, 0.28 * r, 0.9 * r), box(0, 0.65 * r, 0.8 * r, 0.25 * r)),
  'T shape': (r) => union(box(0, -0.6 * r, 0.85 * r, 0.25 * r), box(0, 0.15 * r, 0.28 * r, 0.8 * r)),
  arrow: (r) =>
    polygon(
      [-1.2 * r, 0.2 * r, 0.2 * r, 1.2 * r, 0.2 * r, 0.2 * r, -1.2 * r],
      [-0.25 * r, -0.25 * r, -0.75 * r, 0, 0.75 * r, 0.25 * r, 0.25 * r],
    ),
  chevron: (r) =>
    polygon([-r, 0, r, r, 0, -r], [-0.2 * r, -1.0 * r, -0.2 * r, 0.45 * r, -0.35 * r, 0.45 * r]),
  trapezoid: (r) =>
    polygon([-1.0 * r, 1.0 * r, 0.45 * r, -0.45 * r], [0.65 * r, 0.65 * r, -0.65 * r, -0.65 * r]),
  'two dots': (r) => union(disk(-0.6 * r, 0, 0.45 * r), disk(0.6 * r, 0, 0.45 * r)),
  'two bars': (r) => union(box(0, -0.5 * r, 0.95 * r, 0.22 * r), box(0, 0.5 * r, 0.95 * r, 0.22 * r)),
} satisfies Record<string, FigureOutline>;

/** The held-out figures: none of them, nor anything made of them, is among the pretraining ones. */
export const NOVEL_SYMBOL_OUTLINES = {
  heart: (r) =>
    union(
      disk(-0.47 * r, -0.3 * r, 0.58 * r),
      disk(0.47 * r, -0.3 * r, 0.58 * r),
      polygon([-1.0 * r, 1.0 * r, 0], [-0.1 * r, -0.1 * r, 1.1 * r]),
    ),
  'lightning bolt': (r) =>
    polygon(
      [-0.1 * r, 0.55 * r, 0.1 * r, 0.6 * r, -0.35 * r, -0.05 * r, -0.55 * r],
      [-1.15 * r, -1.15 * r, -0.15 * r, -0.15 * r, 1.15 * r, 0.15 * r, 0.15 * r],
    ),
  flower: (r, random) => {
    const phase = random.range(0, Math.PI / 2);
    const petals = [0, 1, 2, 3].map((k) => {
      const a = phase + (k * Math.PI) / 2;
      return disk(0.62 * r * Math.cos(a), 0.62 * r * Math.sin(a), 0.4 * r);
    });
    return union(disk(0, 0, 0.4 * r), ...petals);
  },
  'hollow triangle': (r, random) => frame(regular(3, 1.25 * r, -Math.PI / 2), r * random.range(0.28, 0.4)),
  horseshoe: (r, random) => {
    const thickness = r * random.range(0.3, 0.42);
    const middle = r - thickness / 2;
    const arc: Distance = (u, v) => Math.max(Math.abs(hypot(u, v) - middle) - thickness / 2, -v);
    return union(
      arc,
      box(-middle, -0.35 * r, thickness / 2, 0.35 * r),
      box(middle, -0.35 * r, thickness / 2, 0.35 * r),
    );
  },
} satisfies Record<string, FigureOutline>;

export const SYMBOLS_CLASS_NAMES = Object.keys(SYMBOL_OUTLINES) as (keyof typeof SYMBOL_OUTLINES)[];
export const NOVEL_SYMBOLS_CLASS_NAMES = Object.keys(
  NOVEL_SYMBOL_OUTLINES,
) as (keyof typeof NOVEL_SYMBOL_OUTLINES)[];

/** 48×48: small enough that a MobileNet pretrains on 20 classes within minutes on a CPU. */
export const SYMBOLS_DEFAULTS = { seed: 1, size: 48, trainCount: 8000, testCount: 2000 } as const;
export const NOVEL_SYMBOLS_DEFAULTS = { seed: 1, size: 48, trainCount: 1000, testCount: 1000 } as const;

export interface SymbolsOptions {
  seed: number;
  count: number;
  size: number;
  /** Which split's stream of images (0 train, 1 test): the same seed gives different images per split. */
  stream: number;
}

function generateFigures(outlines: FigureOutline[], salt: number, options: SymbolsOptions): RawSplit {
  const { seed, count, size, stream } = options;
  const labels = balancedLabels(count, outlines.length, deriveSeed(seed, stream, salt));
  const perImage = size * size * 3;
  const images = new Uint8Array(count * perImage);
  for (let i = 0; i < count; i++) {
    const random = new Random(deriveSeed(seed, stream, salt, i));
    drawFigureImage(outlines[labels[i]], size, random).toBytes(images, i * perImage);
  }
  return { images, labels, count };
}

/** `count` RGB images of the 20 pretraining symbols, balanced labels (indices into `SYMBOLS_CLASS_NAMES`). */
export function generateSymbols(options: SymbolsOptions): RawSplit {
  return generateFigures(Object.values(SYMBOL_OUTLINES), 0x5b01, options);
}

/** `count` RGB images of the 5 held-out symbols (indices into `NOVEL_SYMBOLS_CLASS_NAMES`). */
export function generateNovelSymbols(options: SymbolsOptions): RawSplit {
  return generateFigures(Object.values(NOVEL_SYMBOL_OUTLINES), 0x5b02, options);
}
