/**
 * Drawing for the generators, in float canvases: value noise, and anti-aliased shapes from signed
 * distance functions (coverage = distance to the edge clamped to one pixel, which looks like a
 * photographed edge rather than a staircase).
 */
import type { Random } from './random';

/** `Math.hypot` for two or three values, without its slow generic path (it dominates drawing time). */
export function hypot(a: number, b: number, c = 0): number {
  return Math.sqrt(a * a + b * b + c * c);
}

/** A float image, channels last, values nominally 0..255. */
export class Canvas {
  readonly data: Float32Array;
  constructor(
    readonly width: number,
    readonly height: number,
    readonly channels: number,
  ) {
    this.data = new Float32Array(width * height * channels);
  }

  /** Rounds (half to even) and clamps into uint8 HWC, natively through a clamped view. */
  toBytes(out = new Uint8Array(this.data.length), offset = 0): Uint8Array {
    new Uint8ClampedArray(out.buffer, out.byteOffset + offset, this.data.length).set(this.data);
    return out;
  }

  /**
   * Blends `colour` over the pixels where `coverage(x, y)` (x, y at pixel centres) is above 0,
   * visiting only the box [x0, x1) × [y0, y1).
   */
  paint(
    box: { x0: number; y0: number; x1: number; y1: number },
    coverage: (x: number, y: number) => number,
    colour: readonly number[],
    opacity = 1,
  ): void {
    const x0 = Math.max(0, Math.floor(box.x0));
    const y0 = Math.max(0, Math.floor(box.y0));
    const x1 = Math.min(this.width, Math.ceil(box.x1));
    const y1 = Math.min(this.height, Math.ceil(box.y1));
    const c = this.channels;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const a = coverage(x + 0.5, y + 0.5) * opacity;
        if (a <= 0) continue;
        const i = (y * this.width + x) * c;
        for (let k = 0; k < c; k++) this.data[i + k] += (colour[k] - this.data[i + k]) * a;
      }
    }
  }
}

/** Coverage of a pixel whose centre is `distance` pixels outside (> 0) or inside (< 0) an edge. */
export function edgeCoverage(distance: number, softness = 1): number {
  const v = 0.5 - distance / softness;
  return v <= 0 ? 0 : v >= 1 ? 1 : v;
}

/**
 * Smooth value noise on a grid of `cell` pixels, in [0, 1]: a random value per grid point,
 * smoothstep-interpolated. `stretch` makes it anisotropic (cells `cell × stretch` along `angle`).
 */
export function valueNoise(
  random: Random,
  width: number,
  height: number,
  cell: number,
  options: { angle?: number; stretch?: number } = {},
): Float32Array {
  const angle = options.angle ?? 0;
  const stretch = options.stretch ?? 1;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const reach = hypot(width, height);
  const gridU = Math.ceil(reach / (cell * stretch)) + 3;
  const gridV = Math.ceil(reach / cell) + 3;
  const grid = new Float32Array(gridU * gridV);
  for (let i = 0; i < grid.length; i++) grid[i] = random.float();
  const out = new Float32Array(width * height);
  const cx = width / 2;
  const cy = height / 2;
  const smooth = (t: number) => t * t * (3 - 2 * t);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x - cx;
      const dy = y - cy;
      // u runs along the angle (stretched cells), v across it.
      const u = (dx * cos + dy * sin + reach / 2) / (cell * stretch) + 1;
      const v = (-dx * sin + dy * cos + reach / 2) / cell + 1;
      const iu = Math.floor(u);
      const iv = Math.floor(v);
      const fu = smooth(u - iu);
      const fv = smooth(v - iv);
      const a = grid[iv * gridU + iu];
      const b = grid[iv * gridU + iu + 1];
      const c = grid[(iv + 1) * gridU + iu];
      const d = grid[(iv + 1) * gridU + iu + 1];
      out[y * width + x] = a + (b - a) * fu + (c - a) * fv + (a - b - c + d) * fu * fv;
    }
  }
  return out;
}

/** Sum of value-noise octaves (cell, cell/2, ...) with halving amplitude, scaled back to [0, 1]. */
export function fractalNoise(
  random: Random,
  width: number,
  height: number,
  cell: number,
  octaves: number,
): Float32Array {
  const out = new Float32Array(width * height);
  let amplitude = 1;
  let total = 0;
  for (let o = 0; o < octaves; o++) {
    const layer = valueNoise(random, width, height, Math.max(1, cell / 2 ** o));
    for (let i = 0; i < out.length; i++) out[i] += layer[i] * amplitude;
    total += amplitude;
    amplitude /= 2;
  }
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}

/** Signed distance from (px, py) to a polygon (negative inside); Inigo Quilez's formulation. */
export function polygonDistance(
  px: number,
  py: number,
  xs: readonly number[],
  ys: readonly number[],
): number {
  const n = xs.length;
  let d = (px - xs[0]) ** 2 + (py - ys[0]) ** 2;
  let sign = 1;
  for (let i = 0, j = n - 1; i < n; j = i, i++) {
    const ex = xs[j] - xs[i];
    const ey = ys[j] - ys[i];
    const wx = px - xs[i];
    const wy = py - ys[i];
    const t = Math.max(0, Math.min(1, (wx * ex + wy * ey) / (ex * ex + ey * ey)));
    const bx = wx - ex * t;
    const by = wy - ey * t;
    d = Math.min(d, bx * bx + by * by);
    const c1 = py >= ys[i];
    const c2 = py < ys[j];
    const c3 = ex * wy > ey * wx;
    if ((c1 && c2 && c3) || (!c1 && !c2 && !c3)) sign = -sign;
  }
  return sign * Math.sqrt(d);
}

/** The signed distance of a regular polygon centred at the origin, its first corner at angle `phase`. */
export function regularPolygonDistance(
  sides: number,
  radius: number,
  phase: number,
): (px: number, py: number) => number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < sides; i++) {
    const a = phase + (i / sides) * Math.PI * 2;
    xs.push(radius * Math.cos(a));
    ys.push(radius * Math.sin(a));
  }
  return (px, py) => polygonDistance(px, py, xs, ys);
}

/** Signed distance to an axis-aligned box of half-size (hx, hy) centred at the origin. */
export function boxDistance(px: number, py: number, hx: number, hy: number): number {
  const dx = Math.abs(px) - hx;
  const dy = Math.abs(py) - hy;
  return hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0);
}

/** Distance from (px, py) to the segment (ax, ay)–(bx, by), and where along it (0..1) the nearest point is. */
export function segmentDistance(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): { distance: number; t: number } {
  const ex = bx - ax;
  const ey = by - ay;
  const length2 = ex * ex + ey * ey || 1e-9;
  const t = Math.max(0, Math.min(1, ((px - ax) * ex + (py - ay) * ey) / length2));
  return { distance: hypot(px - ax - ex * t, py - ay - ey * t), t };
}
