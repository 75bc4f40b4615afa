export const answers: Record<string, number | number[]> = {
  lenet: 0,
  alexnet: [0, 2],
  vgg: 1,
  resnet: 1,
  mobilenet: 2,
  efficientnet: 1,
  vit: 1,
  pooling: 0,
};
