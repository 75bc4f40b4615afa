export const answers: Record<string, number | number[]> = {
  tasks: 2,
  nms: 0,
  map: 1,
  'one-stage': [0, 2, 3],
  unet: 1,
  instance: 0,
  'dice-loss': 1,
};
