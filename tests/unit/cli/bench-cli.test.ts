/**
 * `cv-lab bench` as a user runs it: every model it names trains and reports its figures, an unknown
 * model is refused with the list. Figures are checked for shape and sense only (positive, finite,
 * FLOPs consistent), never for speed.
 */
import { describe, expect, it } from 'vitest';
import { cvLab } from './run-cli';

describe('cv-lab bench', () => {
  it('trains MobileNet v2 on wasm and reports it as one JSON line', async () => {
    const result = await cvLab(
      [
        'bench',
        '--model',
        'mobilenet-v2',
        '--steps',
        '1',
        '--warmup',
        '1',
        '--batch',
        '4',
        '--json',
        '--no-torch',
      ],
      { env: { CI: 'true' } },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({ model: 'mobilenet-v2', backend: 'wasm', batchSize: 4, steps: 1 });
    for (const key of ['trainImagesPerSec', 'inferImagesPerSec', 'msPerStep', 'gflops', 'flopsPerImage']) {
      expect(Number.isFinite(line[key]) && line[key] > 0, key).toBe(true);
    }
    // A training step costs more than the forward pass alone (weight and input gradients).
    expect(line.flopsPerImage).toBeGreaterThan(2 * line.forwardFlopsPerImage);
  }, 120_000);

  it('refuses a model it does not know, naming those it does', async () => {
    const result = await cvLab(['bench', '--model', 'resnet', '--no-torch']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown model resnet: use cnn, mobilenet, mobilenet-v2 or all');
  });
});
