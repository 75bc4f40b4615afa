/**
 * `shapes`: RGB pictures of one shape each (circle, square, triangle, star, cross, ring), generated
 * from a seed. Made to look like photographs of printed shapes rather than clip art, and to need a
 * real CNN: varied colour, size, position, rotation and background (solid, gradient, noise), clutter
 * in the background, sometimes a low contrast or a shape partly out of frame, and sensor noise.
 */
import type { RawSplit } from '../types';
import { balancedLabels, deriveSeed, Random } from './random';
import {
  boxDistance,
  Canvas,
  edgeCoverage,
  fractalNoise,
  polygonDistance,
  regularPolygonDistance,
  segmentDistance,
} from './raster';
import { hypot } from './raster';

export const SHAPES_CLASS_NAMES = ['circle', 'square', 'triangle', 'star', 'cross', 'ring'] as const;
export type ShapeName = (typeof SHAPES_CLASS_NAMES)[number];

export interface ShapesOptions {
  seed: number;
  count: number;
  /** Image side in pixels (square images); 64 by default. */
  size?: number;
  /** Which split's stream of images (0 train, 1 test): the same seed gives different images per split. */
  stream?: number;
}

export const SHAPES_DEFAULTS = { seed: 1, size: 64, trainCount: 4800, testCount: 1200 } as const;

type Rgb = [number, number, number];

function randomColour(random: Random): Rgb {
  // HSV with varied saturation and value: pastel, vivid and dark colours all occur.
  const h = random.float() * 6;
  const s = random.range(0.15, 1);
  const v = random.range(0.2, 1);
  const i = Math.floor(h);
  const f = h - i;
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  const [r, g, b] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][i % 6];
  return [r * 255, g * 255, b * 255];
}

const colourDistance = (a: Rgb, b: Rgb) => hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

function paintBackground(canvas: Canvas, random: Random): Rgb {
  const { width, height } = canvas;
  const base = randomColour(random);
  const kind = random.pick(['solid', 'solid', 'gradient', 'gradient', 'noise'] as const);
  // The second colour only part way from the first: a background varies less than a shape stands out.
  const away = randomColour(random);
  const reach = random.range(0.2, 0.5);
  const other = [0, 1, 2].map((k) => base[k] + (away[k] - base[k]) * reach) as Rgb;
  const angle = random.range(0, Math.PI * 2);
  const noise = kind === 'noise' ? fractalNoise(random, width, height, random.range(8, 24), 3) : undefined;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let t = 0;
      if (kind === 'gradient') t = ((x / width - 0.5) * cos + (y / height - 0.5) * sin) * 0.9 + 0.5;
      if (noise) t = noise[y * width + x];
      t = Math.max(0, Math.min(1, t));
      const i = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) canvas.data[i + k] = base[k] + (other[k] - base[k]) * t;
    }
  }
  // The colour the shape must stand out from: the background's average.
  return kind === 'solid' ? base : ([0, 1, 2].map((k) => (base[k] + other[k]) / 2) as Rgb);
}

/** Thin lines and small blobs: the clutter of a real scene, never a whole shape. */
function paintClutter(
  canvas: Canvas,
  random: Random,
  scale: number,
  over?: { x: number; y: number; r: number },
): void {
  const pieces = over ? 1 : random.int(0, 2);
  for (let n = 0; n < pieces; n++) {
    const colour = randomColour(random);
    const opacity = random.range(0.2, 0.55);
    if (random.chance(0.5)) {
      const ax = over ? over.x + random.range(-over.r, over.r) : random.range(0, canvas.width);
      const ay = over ? over.y + random.range(-over.r, over.r) : random.range(0, canvas.height);
      const bx = ax + random.range(-30, 30) * scale;
      const by = ay + random.range(-30, 30) * scale;
      const half = random.range(0.3, 0.8) * scale;
      canvas.paint(
        {
          x0: Math.min(ax, bx) - 3,
          y0: Math.min(ay, by) - 3,
          x1: Math.max(ax, bx) + 3,
          y1: Math.max(ay, by) + 3,
        },
        (x, y) => edgeCoverage(segmentDistance(x, y, ax, ay, bx, by).distance - half),
        colour,
        opacity,
      );
    } else {
      const cx = over ? over.x + random.range(-over.r, over.r) : random.range(0, canvas.width);
      const cy = over ? over.y + random.range(-over.r, over.r) : random.range(0, canvas.height);
      const r = over
        ? random.range(1.5 * scale, 0.25 * over.r + 1.5 * scale)
        : random.range(1.5, 3.5) * scale;
      canvas.paint(
        { x0: cx - r - 2, y0: cy - r - 2, x1: cx + r + 2, y1: cy + r + 2 },
        (x, y) => edgeCoverage(hypot(x - cx, y - cy) - r),
        colour,
        opacity,
      );
    }
  }
}

/** The signed distance (pixels) of each shape, in its own frame: centred, unrotated, radius `r`. */
export function shapeDistance(shape: ShapeName, r: number, random: Random): (u: number, v: number) => number {
  const polygon = (xs: number[], ys: number[]) => (u: number, v: number) => polygonDistance(u, v, xs, ys);
  const regular = regularPolygonDistance;
  switch (shape) {
    case 'circle':
      return (u, v) => hypot(u, v) - r;
    case 'ring': {
      const thickness = r * random.range(0.22, 0.45);
      const middle = r - thickness / 2;
      return (u, v) => Math.abs(hypot(u, v) - middle) - thickness / 2;
    }
    case 'square':
      return regular(4, r * 1.1, Math.PI / 4);
    case 'triangle':
      return regular(3, r * 1.2, -Math.PI / 2);
    case 'star': {
      const points = random.pick([5, 5, 6]);
      const inner = random.range(0.4, 0.55);
      const xs: number[] = [];
      const ys: number[] = [];
      for (let i = 0; i < points * 2; i++) {
        const a = -Math.PI / 2 + (i / (points * 2)) * Math.PI * 2;
        const radius = (i % 2 === 0 ? 1.2 : 1.2 * inner) * r;
        xs.push(radius * Math.cos(a));
        ys.push(radius * Math.sin(a));
      }
      return polygon(xs, ys);
    }
    case 'cross': {
      const arm = r * random.range(0.25, 0.4);
      const reach = r * 1.1;
      return (u, v) => Math.min(boxDistance(u, v, reach, arm), boxDistance(u, v, arm, reach));
    }
  }
}

/**
 * Makes the signed distance of one figure of radius `r` (drawing any random details it has); the
 * figure must lie within 1.3 r of its centre, the box `drawFigureImage` paints.
 */
export type FigureOutline = (r: number, random: Random) => (u: number, v: number) => number;

/** Draws one image of `shape` into a fresh canvas. */
export function drawShapeImage(shape: ShapeName, size: number, random: Random): Canvas {
  return drawFigureImage((r, random) => shapeDistance(shape, r, random), size, random);
}

/**
 * Draws one figure, photographed: background, clutter, placement, colour, focus and noise as for
 * `shapes`; `outline` gives the figure (other generated sets draw other figures the same way).
 */
export function drawFigureImage(outline: FigureOutline, size: number, random: Random): Canvas {
  const canvas = new Canvas(size, size, 3);
  const scale = size / 64;
  const background = paintBackground(canvas, random);
  paintClutter(canvas, random, scale);

  // Mostly a third to two thirds of the frame across; sometimes small (a hard case).
  const r = (random.chance(0.1) ? random.range(6.5, 9) : random.range(9, 22)) * scale;
  // Mostly inside the frame; sometimes up to a third of the radius out of it.
  const margin = random.chance(0.1) ? r * 0.65 : r * 1.15;
  const cx = random.range(Math.min(margin, size / 2), Math.max(size - margin, size / 2));
  const cy = random.range(Math.min(margin, size / 2), Math.max(size - margin, size / 2));
  const angle = random.range(0, Math.PI * 2);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  let colour = randomColour(random);
  // Low contrast sometimes (a hard case), but never invisible.
  const minimum = random.chance(0.1) ? 60 : 110;
  for (let tries = 0; tries < 40 && colourDistance(colour, background) < minimum; tries++) {
    colour = randomColour(random);
  }
  const distance = outline(r, random);
  const softness = random.range(0.8, 1.5) * scale; // focus varies
  const extent = r * 1.3 + 2;
  canvas.paint(
    { x0: cx - extent, y0: cy - extent, x1: cx + extent, y1: cy + extent },
    (x, y) => {
      const dx = x - cx;
      const dy = y - cy;
      return edgeCoverage(distance(dx * cos + dy * sin, -dx * sin + dy * cos), softness);
    },
    colour,
  );

  // Sometimes something lies over the shape: it must be recognised partly hidden.
  if (random.chance(0.12)) paintClutter(canvas, random, scale, { x: cx, y: cy, r });

  // Sensor noise (mild: it is incompressible, and a browser downloads the set), and a slight global
  // brightness change.
  const sigma = random.chance(0.5) ? random.range(0, 1) : random.range(1.5, 4);
  const gain = random.range(0.85, 1.15);
  const normal = random.normals();
  for (let i = 0; i < canvas.data.length; i++) canvas.data[i] = canvas.data[i] * gain + sigma * normal();
  return canvas;
}

/** `count` images of `size`×`size`×3 with balanced labels (indices into `SHAPES_CLASS_NAMES`). */
export function generateShapes(options: ShapesOptions): RawSplit {
  const size = options.size ?? SHAPES_DEFAULTS.size;
  const stream = options.stream ?? 0;
  const labels = balancedLabels(
    options.count,
    SHAPES_CLASS_NAMES.length,
    deriveSeed(options.seed, stream, 0xfeed),
  );
  const perImage = size * size * 3;
  const images = new Uint8Array(options.count * perImage);
  for (let i = 0; i < options.count; i++) {
    const random = new Random(deriveSeed(options.seed, stream, i));
    drawShapeImage(SHAPES_CLASS_NAMES[labels[i]], size, random).toBytes(images, i * perImage);
  }
  return { images, labels, count: options.count };
}
