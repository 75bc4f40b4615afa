type Mask = number[][];

export function pixelAccuracy(p: Mask, t: Mask): number {
  let same = 0;
  let total = 0;
  p.forEach((row, y) => row.forEach((v, x) => ((same += v === t[y][x] ? 1 : 0), total++)));
  return same / total;
}

export function maskIou(p: Mask, t: Mask): number {
  let both = 0;
  let either = 0;
  p.forEach((row, y) =>
    row.forEach((v, x) => {
      if (v && t[y][x]) both++;
      if (v || t[y][x]) either++;
    }),
  );
  return both / either;
}

export function dice(p: Mask, t: Mask): number {
  // TODO: Dice is not IoU.
  return maskIou(p, t);
}
