import type { TF } from 'cv-lab';

type Mask = number[][];

export default function cases(_tf: TF, random: () => number) {
  const blank = (h: number, w: number): Mask => Array.from({ length: h }, () => new Array<number>(w).fill(0));
  const randomMask = (h: number, w: number, density: number): Mask =>
    Array.from({ length: h }, () => Array.from({ length: w }, () => (random() < density ? 1 : 0)));
  const square = (h: number, w: number, y0: number, x0: number, size: number): Mask =>
    blank(h, w).map((row, y) =>
      row.map((_, x) => (y >= y0 && y < y0 + size && x >= x0 && x < x0 + size ? 1 : 0)),
    );
  const pairs: [string, Mask, Mask][] = [
    ['overlapping squares', square(10, 10, 1, 1, 4), square(10, 10, 3, 3, 4)],
    ['identical masks', square(8, 8, 2, 2, 3), square(8, 8, 2, 2, 3)],
    ['disjoint masks', square(8, 8, 0, 0, 2), square(8, 8, 5, 5, 2)],
    ['both masks empty', blank(6, 6), blank(6, 6)],
    ['predicted empty, small true defect', blank(20, 20), square(20, 20, 9, 9, 2)],
    ['random masks', randomMask(16, 16, 0.3), randomMask(16, 16, 0.3)],
    ['random sparse masks', randomMask(12, 20, 0.05), randomMask(12, 20, 0.05)],
  ];
  return pairs.flatMap(([name, p, t]) =>
    ['dice', 'maskIou', 'pixelAccuracy'].map((call) => ({ name: `${call}: ${name}`, call, args: [p, t] })),
  );
}
