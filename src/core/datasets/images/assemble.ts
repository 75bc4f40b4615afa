/**
 * Fitted images and their labels to the raw splits `buildDatasetFiles` takes.
 */
import type { RawSplit } from '../types';

/** Copies the images at `indices` (each `imageBytes` long) into one split. */
export function gatherSplit(
  images: readonly Uint8Array[],
  labels: ArrayLike<number>,
  indices: readonly number[],
  imageBytes: number,
): RawSplit {
  const out = new Uint8Array(indices.length * imageBytes);
  const outLabels = new Uint8Array(indices.length);
  indices.forEach((index, i) => {
    const image = images[index];
    if (image.length !== imageBytes) {
      throw new Error(`image ${index} has ${image.length} bytes, expected ${imageBytes}`);
    }
    out.set(image, i * imageBytes);
    outLabels[i] = labels[index];
  });
  return { images: out, labels: outLabels, count: indices.length };
}
