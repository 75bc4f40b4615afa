// Answer each question with the index of your choice (A = 0, B = 1, ...), or an array of indices.
export const answers: Record<string, number | number[]> = {
  lenet: 0,
  alexnet: [1],
  // vgg: ?,
  // resnet: ?,
  // mobilenet: ?,
  // efficientnet: ?,
  // vit: ?,
  // pooling: ?,
};
