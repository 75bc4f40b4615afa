/**
 * `surface-defects`: grayscale close-ups of manufactured surfaces (brushed metal, cast metal, painted
 * sheet) under uneven light (vignetting, a gradient), each either clean or showing one kind of
 * defect: a scratch, pits, a crack or a stain, at any scale. Like real inspection images, many
 * defects are faint (low contrast, small pits, thin cracks) and the textures have their own marks
 * (grain, porosity speckle) that a model must learn to ignore. The training images are one
 * station's, where every line leans one way; the test images the whole plant's, any way (see
 * `SurfacePose`): a small CNN trained on the few hundred station pictures needs augmentation to
 * generalise to the plant (measured in scripts/augmentation-baselines/README.md).
 *
 * Drawing happens on the surface's reflectance, before lighting and noise, so a defect is lit like
 * the surface around it.
 */
import type { RawSplit } from '../types';
import { balancedLabels, deriveSeed, Random } from './random';
import { Canvas, edgeCoverage, fractalNoise, segmentDistance, valueNoise } from './raster';
import { hypot } from './raster';

export const SURFACE_DEFECT_CLASS_NAMES = ['clean', 'scratch', 'pit', 'crack', 'stain'] as const;
export type SurfaceDefect = (typeof SURFACE_DEFECT_CLASS_NAMES)[number];
/** The binary view: `clean` is ok, every other class a defect. */
export const SURFACE_DEFECT_BINARY_CLASS_NAMES = ['ok', 'defect'] as const;
export const SURFACE_TEXTURES = ['brushed', 'cast', 'painted'] as const;

/**
 * How the camera saw the parts. `station`: one inspection station, where every part arrives in the
 * same pose under a lamp on its upper left, so brushing grain, scratches and stains lean one way
 * (angles from 0° to 90°) and the light always falls from one quadrant. `plant`: every station of
 * the plant, any pose, any light. The training split is a station's, the test split the plant's:
 * a model that learnt one station's angles meets the others only in the test. Mirroring an image
 * turns an angle θ into 180° − θ and moves the lamp to another quadrant, so flips cover the
 * plant from a station's pictures; nothing short of augmentation does.
 */
export type SurfacePose = 'station' | 'plant';

export interface SurfaceDefectsOptions {
  seed: number;
  count: number;
  /** Image side in pixels (square images); 96 by default. */
  size?: number;
  /** Which split's stream of images (0 train, 1 test). */
  stream?: number;
  /** `station` for the training split, `plant` (the default) for the test split. */
  pose?: SurfacePose;
}

const STATION_SPREAD = Math.PI / 2;

/**
 * Draws the angles of one image. Each is one draw whatever the pose, so the station's and the
 * plant's version of an image (same seed) differ in their angles only.
 */
class PoseSampler {
  constructor(
    private readonly random: Random,
    private readonly pose: SurfacePose,
  ) {}
  /** An undirected line's angle: [0, π) in the plant, [0, π/2) at the station. */
  lineAngle(): number {
    return this.random.range(0, this.pose === 'station' ? STATION_SPREAD : Math.PI);
  }
  /** A direction (where light comes from, where a crack starts off): any, or the station's quadrant. */
  direction(): number {
    return this.pose === 'station'
      ? this.random.range(Math.PI, Math.PI + STATION_SPREAD)
      : this.random.range(0, Math.PI * 2);
  }
}

export const SURFACE_DEFECTS_DEFAULTS = { seed: 1, size: 96, trainCount: 480, testCount: 600 } as const;

function paintTexture(canvas: Canvas, random: Random, pose: PoseSampler, scale: number): void {
  const { width, height, data } = canvas;
  const texture = random.pick(SURFACE_TEXTURES);
  const base = random.range(85, 175);
  const broad = fractalNoise(random, width, height, 40 * scale, 2);
  if (texture === 'brushed') {
    const angle = pose.lineAngle();
    const streaks = valueNoise(random, width, height, random.range(0.7, 1.4) * scale, {
      angle,
      stretch: random.range(25, 70),
    });
    const fine = valueNoise(random, width, height, random.range(2, 4) * scale, { angle, stretch: 12 });
    const amplitude = random.range(5, 12);
    for (let i = 0; i < data.length; i++) {
      data[i] =
        base + amplitude * (streaks[i] - 0.5) + amplitude * 0.6 * (fine[i] - 0.5) + 10 * (broad[i] - 0.5);
    }
  } else if (texture === 'cast') {
    const grain = fractalNoise(random, width, height, random.range(5, 9) * scale, 3);
    const amplitude = random.range(8, 16);
    for (let i = 0; i < data.length; i++)
      data[i] = base + amplitude * (grain[i] - 0.5) + 12 * (broad[i] - 0.5);
    // Porosity: tiny dark specks all over a cast surface. They look like very small pits on purpose.
    const specks = random.int(2, 10);
    for (let n = 0; n < specks; n++) {
      const cx = random.range(0, width);
      const cy = random.range(0, height);
      const r = random.range(0.4, 0.9) * scale;
      const depth = random.range(6, 18);
      canvas.paint(
        { x0: cx - r - 2, y0: cy - r - 2, x1: cx + r + 2, y1: cy + r + 2 },
        (x, y) => edgeCoverage(hypot(x - cx, y - cy) - r),
        [base - depth],
        0.8,
      );
    }
  } else {
    const peel = valueNoise(random, width, height, random.range(3, 6) * scale);
    const amplitude = random.range(3, 8);
    for (let i = 0; i < data.length; i++)
      data[i] = base + amplitude * (peel[i] - 0.5) + 10 * (broad[i] - 0.5);
  }
}

/** A defect's contrast: sometimes faint, as the hard cases of a real line are. */
function contrast(random: Random, low: number, high: number): number {
  const value = random.range(low, high);
  return random.chance(0.15) ? value * 0.6 : value;
}

/** Samples a curve through `points` densely enough for distance queries, with a width per point. */
function paintStroke(
  canvas: Canvas,
  xs: number[],
  ys: number[],
  halfWidth: (t: number) => number,
  delta: number,
): void {
  const x0 = Math.min(...xs) - 4;
  const y0 = Math.min(...ys) - 4;
  const x1 = Math.max(...xs) + 4;
  const y1 = Math.max(...ys) + 4;
  const segments = xs.length - 1;
  const { width, data } = canvas;
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(canvas.height, Math.ceil(y1)); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x1)); x++) {
      let best = Infinity;
      let along = 0;
      for (let s = 0; s < segments; s++) {
        const hit = segmentDistance(x + 0.5, y + 0.5, xs[s], ys[s], xs[s + 1], ys[s + 1]);
        if (hit.distance < best) {
          best = hit.distance;
          along = (s + hit.t) / segments;
        }
      }
      const half = halfWidth(along);
      // Thinner than a pixel: fainter rather than thinner, as a camera sees it.
      const strength = Math.min(1, half * 2);
      const a = edgeCoverage(best - Math.max(half, 0.5)) * strength;
      if (a > 0) data[y * width + x] += delta * a;
    }
  }
}

function paintScratch(canvas: Canvas, random: Random, pose: PoseSampler, scale: number): void {
  const lines = random.chance(0.25) ? 2 : 1;
  const sign = random.chance(0.65) ? 1 : -1; // usually bright: a scratch catches the light
  const delta = sign * contrast(random, 35, 70);
  const angle = pose.lineAngle();
  for (let n = 0; n < lines; n++) {
    const length = random.range(20, 80) * scale;
    const cx = random.range(0.2, 0.8) * canvas.width;
    const cy = random.range(0.2, 0.8) * canvas.height;
    const a = angle + random.range(-0.15, 0.15);
    const bend = random.range(-0.12, 0.12) * length;
    const xs: number[] = [];
    const ys: number[] = [];
    const steps = 12;
    for (let i = 0; i <= steps; i++) {
      const t = i / steps - 0.5;
      const off = bend * (1 - 4 * t * t); // a gentle arc
      xs.push(cx + Math.cos(a) * t * length - Math.sin(a) * off);
      ys.push(cy + Math.sin(a) * t * length + Math.cos(a) * off);
    }
    const width = random.range(0.6, 1.2) * scale;
    paintStroke(canvas, xs, ys, (t) => width * Math.min(1, 4 * t, 4 * (1 - t)) + 0.05, delta);
  }
}

function paintPits(canvas: Canvas, random: Random, pose: PoseSampler, scale: number): void {
  const pits = random.int(1, 4);
  const lightAngle = pose.direction();
  const clusterX = random.range(0.15, 0.85) * canvas.width;
  const clusterY = random.range(0.15, 0.85) * canvas.height;
  for (let n = 0; n < pits; n++) {
    const cx = clusterX + random.range(-14, 14) * scale;
    const cy = clusterY + random.range(-14, 14) * scale;
    const r = random.range(1.8, 4) * scale;
    const depth = contrast(random, 45, 90);
    canvas.paint(
      { x0: cx - r - 2, y0: cy - r - 2, x1: cx + r + 2, y1: cy + r + 2 },
      (x, y) => edgeCoverage(hypot(x - cx, y - cy) - r, 1.2),
      [Math.max(0, canvas.data[Math.floor(cy) * canvas.width + Math.floor(cx)] - depth || 0)],
      0.85,
    );
    // The rim facing the light shines.
    const hx = cx + Math.cos(lightAngle) * r * 0.9;
    const hy = cy + Math.sin(lightAngle) * r * 0.9;
    canvas.paint(
      { x0: hx - r, y0: hy - r, x1: hx + r, y1: hy + r },
      (x, y) => edgeCoverage(hypot(x - hx, y - hy) - r * 0.45),
      [255],
      random.range(0.1, 0.3),
    );
  }
}

function paintCrack(canvas: Canvas, random: Random, pose: PoseSampler, scale: number): void {
  const delta = -contrast(random, 40, 80);
  // A crack runs across the part in one overall direction and zigzags about it: each step turns
  // at random, but the turns pull back towards the crack's heading, so a crack has an orientation
  // as a scratch has (and a model that saw cracks only one way misses the others).
  const walk = (x: number, y: number, heading: number, steps: number, width: number) => {
    const xs = [x];
    const ys = [y];
    let wobble = 0;
    for (let i = 0; i < steps; i++) {
      wobble = 0.55 * wobble + random.range(-0.35, 0.35);
      const step = random.range(1.5, 3) * scale;
      x += Math.cos(heading + wobble) * step;
      y += Math.sin(heading + wobble) * step;
      xs.push(x);
      ys.push(y);
    }
    paintStroke(canvas, xs, ys, (t) => width * (1 - 0.7 * t) + 0.1, delta);
    return { xs, ys };
  };
  const heading = pose.direction();
  const steps = random.int(10, 28);
  const length = steps * 2.25 * scale;
  // Start back from the centre by half the crack's length, so the crack lies across the middle.
  const cx = random.range(0.3, 0.7) * canvas.width;
  const cy = random.range(0.3, 0.7) * canvas.height;
  const main = walk(
    cx - (Math.cos(heading) * length) / 2,
    cy - (Math.sin(heading) * length) / 2,
    heading,
    steps,
    random.range(0.6, 1.1) * scale,
  );
  const branches = random.int(0, 2);
  for (let b = 0; b < branches; b++) {
    const at = random.int(2, main.xs.length - 2);
    walk(
      main.xs[at],
      main.ys[at],
      heading + random.pick([-1, 1]) * random.range(0.5, 1.2),
      random.int(4, 10),
      0.4 * scale,
    );
  }
}

function paintStain(canvas: Canvas, random: Random, pose: PoseSampler, scale: number): void {
  const cx = random.range(0.2, 0.8) * canvas.width;
  const cy = random.range(0.2, 0.8) * canvas.height;
  const r = random.range(7, 24) * scale;
  const delta = (random.chance(0.75) ? -1 : 1) * contrast(random, 18, 40);
  const edge = random.range(1.5, 5) * scale;
  const ringy = random.chance(0.5); // dried stains are darker at the rim
  const lobes = Array.from({ length: 4 }, () => ({
    k: random.int(2, 5),
    a: random.range(0, 6.3),
    s: random.range(0.05, 0.2),
  }));
  const aspect = random.range(0.6, 1);
  const tilt = pose.lineAngle();
  const cos = Math.cos(tilt);
  const sin = Math.sin(tilt);
  const { width, data } = canvas;
  const extent = r * 1.6 + edge;
  for (
    let y = Math.max(0, Math.floor(cy - extent));
    y < Math.min(canvas.height, Math.ceil(cy + extent));
    y++
  ) {
    for (let x = Math.max(0, Math.floor(cx - extent)); x < Math.min(width, Math.ceil(cx + extent)); x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const u = dx * cos + dy * sin;
      const v = (-dx * sin + dy * cos) / aspect;
      const theta = Math.atan2(v, u);
      let radius = r;
      for (const lobe of lobes) radius *= 1 + lobe.s * Math.sin(lobe.k * theta + lobe.a);
      const distance = hypot(u, v) - radius;
      const inside = edgeCoverage(distance, edge);
      if (inside <= 0) continue;
      const rim = ringy ? Math.exp(-((distance + edge) ** 2) / (2 * edge * edge)) : 0;
      data[y * width + x] += delta * (inside * (ringy ? 0.5 : 1) + rim * 0.8);
    }
  }
}

function applyLightAndNoise(canvas: Canvas, random: Random, pose: PoseSampler): void {
  const { width, height, data } = canvas;
  const vignette = random.range(0, 0.35);
  const vx = random.range(0.25, 0.75) * width;
  const vy = random.range(0.25, 0.75) * height;
  const gradient = random.range(-0.25, 0.25);
  const ga = pose.direction();
  const gain = random.range(0.85, 1.15);
  const sigma = random.range(1.5, 4);
  const half = hypot(width, height) / 2;
  const gx = Math.cos(ga) / half;
  const gy = Math.sin(ga) / half;
  const normal = random.normals();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d2 = ((x - vx) ** 2 + (y - vy) ** 2) / (half * half);
      const along = (x - width / 2) * gx + (y - height / 2) * gy;
      const light = gain * (1 - vignette * d2) * (1 + gradient * along);
      const i = y * width + x;
      data[i] = data[i] * light + sigma * normal();
    }
  }
}

/** Draws one surface image (one channel) with the given defect, seen as `pose` says. */
export function drawSurfaceImage(
  defect: SurfaceDefect,
  size: number,
  random: Random,
  pose: SurfacePose = 'plant',
): Canvas {
  const canvas = new Canvas(size, size, 1);
  const scale = size / 96;
  const poses = new PoseSampler(random, pose);
  paintTexture(canvas, random, poses, scale);
  if (defect === 'scratch') paintScratch(canvas, random, poses, scale);
  if (defect === 'pit') paintPits(canvas, random, poses, scale);
  if (defect === 'crack') paintCrack(canvas, random, poses, scale);
  if (defect === 'stain') paintStain(canvas, random, poses, scale);
  applyLightAndNoise(canvas, random, poses);
  return canvas;
}

/** `count` grayscale `size`×`size`×1 images with balanced labels (indices into `SURFACE_DEFECT_CLASS_NAMES`). */
export function generateSurfaceDefects(options: SurfaceDefectsOptions): RawSplit {
  const size = options.size ?? SURFACE_DEFECTS_DEFAULTS.size;
  const stream = options.stream ?? 0;
  const classes = SURFACE_DEFECT_CLASS_NAMES.length;
  const labels = balancedLabels(options.count, classes, deriveSeed(options.seed, stream, 0xdefec7));
  const perImage = size * size;
  const images = new Uint8Array(options.count * perImage);
  for (let i = 0; i < options.count; i++) {
    const random = new Random(deriveSeed(options.seed, stream, i, 0x5eed));
    drawSurfaceImage(SURFACE_DEFECT_CLASS_NAMES[labels[i]], size, random, options.pose).toBytes(
      images,
      i * perImage,
    );
  }
  return { images, labels, count: options.count };
}

/** The binary view of a multi-class split: the same images, `clean` → 0 (ok), anything else → 1 (defect). */
export function toBinaryDefectSplit(split: RawSplit): RawSplit {
  return {
    images: split.images,
    labels: split.labels.map((label) => (label === 0 ? 0 : 1)),
    count: split.count,
  };
}
