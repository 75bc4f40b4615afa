type Mask = number[][];

/** Pixel counts of two binary masks: both 1, ones in p, ones in t, all pixels, pixels that agree. */
function counts(p: Mask, t: Mask) {
  let both = 0;
  let inP = 0;
  let inT = 0;
  let total = 0;
  let agree = 0;
  p.forEach((row, y) =>
    row.forEach((value, x) => {
      const a = value ? 1 : 0;
      const b = t[y][x] ? 1 : 0;
      both += a & b;
      inP += a;
      inT += b;
      agree += a === b ? 1 : 0;
      total++;
    }),
  );
  return { both, inP, inT, total, agree };
}

export function pixelAccuracy(p: Mask, t: Mask): number {
  const { agree, total } = counts(p, t);
  return total === 0 ? 1 : agree / total;
}

export function maskIou(p: Mask, t: Mask): number {
  const { both, inP, inT } = counts(p, t);
  const union = inP + inT - both;
  return union === 0 ? 1 : both / union;
}

export function dice(p: Mask, t: Mask): number {
  const { both, inP, inT } = counts(p, t);
  return inP + inT === 0 ? 1 : (2 * both) / (inP + inT);
}
