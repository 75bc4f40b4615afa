type Box = [number, number, number, number];

const area = (box: Box) => Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);

/** IoU of two boxes [yMin, xMin, yMax, xMax]; 0 when the union has no area. */
export function iou(a: Box, b: Box): number {
  const height = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const width = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const intersection = height * width;
  const union = area(a) + area(b) - intersection;
  return union > 0 ? intersection / union : 0;
}
