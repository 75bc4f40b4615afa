type Box = [number, number, number, number];

/** IoU of two boxes [yMin, xMin, yMax, xMax]. */
export function iou(a: Box, b: Box): number {
  const intersectionHeight = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const intersectionWidth = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  const intersection = intersectionHeight * intersectionWidth;
  // TODO: divide by the union, not by the area of the first box; mind boxes that do not overlap.
  const areaA = (a[2] - a[0]) * (a[3] - a[1]);
  return intersection / areaA;
}
