// Answer each question with the index of your choice (A = 0, B = 1, ...), or an array of indices.
export const answers: Record<string, number | number[]> = {
  tasks: 1,
  // nms: ?,
  // map: ?,
  // 'one-stage': ?,
  // unet: ?,
  // instance: ?,
  // 'dice-loss': ?,
};
