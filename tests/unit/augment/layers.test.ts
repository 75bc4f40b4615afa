/**
 * The augmentation layers: identity at inference and random in training, save and reload with the
 * same config and the same predictions, train with model.fit on WASM (also with gradients flowing
 * through them), and leave no tensors behind. The preview is tested here too, since it runs layers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { io } from '@tensorflow/tfjs';
import { AUGMENTATION_LAYER_CLASSES, previewAugmentations } from '../../../src/core/augment';
import { checkRules } from '../../../src/core/grading/rules';
import { augment, BACKENDS, expectNoLeak, rampImages, tf, useBackend } from './helpers';

const { layers } = augment;

/** One of every augmentation layer (seeded), as a learner would put them in front of a model. */
function everyAugmentationLayer(): tf.layers.Layer[] {
  return [
    layers.randomFlip({ mode: 'horizontal_and_vertical', seed: 1 }),
    layers.randomRotation({ factor: [-0.1, 0.2], fillMode: 'constant', fillValue: 0.5, seed: 2 }),
    layers.randomZoom({ heightFactor: 0.2, widthFactor: [-0.1, 0.3], interpolation: 'nearest', seed: 3 }),
    layers.randomTranslation({ heightFactor: 0.1, widthFactor: 0.2, fillMode: 'wrap', seed: 4 }),
    layers.randomCrop({ height: 12, width: 10, seed: 5 }),
    layers.randomBrightness({ factor: 0.2, seed: 6 }),
    layers.randomContrast({ factor: [0.2, 0.4], seed: 7 }),
    layers.gaussianNoise({ stddev: 0.05 }),
    layers.cutout({ size: [3, 2], count: 2, seed: 8 }),
  ];
}

function augmentedClassifier(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.inputLayer({ inputShape: [16, 16, 3] }));
  for (const layer of everyAugmentationLayer()) model.add(layer);
  model.add(
    tf.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', kernelInitializer: 'glorotUniform' }),
  );
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  return model;
}

async function saveToMemory(model: tf.LayersModel): Promise<io.ModelArtifacts> {
  let saved: io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('nothing saved');
  return saved;
}

function trainingBatch(n: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  return {
    xs: rampImages(n, 16, 16, 3),
    ys: tf
      .oneHot(
        tf.tensor1d(
          Array.from({ length: n }, (_, i) => i % 3),
          'int32',
        ),
        3,
      )
      .toFloat() as tf.Tensor2D,
  };
}

describe.each(BACKENDS)('augmentation layers on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('are the identity at inference (RandomCrop: the centre window) and random in training', () => {
    const images = rampImages(4, 16, 16, 3);
    for (const layer of everyAugmentationLayer()) {
      const name = layer.getClassName();
      const atInference = layer.apply(images) as tf.Tensor4D;
      const expected = name === 'RandomCrop' ? images.slice([0, 2, 3, 0], [4, 12, 10, 3]) : images;
      expect(Array.from(atInference.dataSync()), name).toEqual(Array.from(expected.dataSync()));
      const first = layer.apply(images, { training: true }) as tf.Tensor4D;
      const second = layer.apply(images, { training: true }) as tf.Tensor4D;
      expect(first.shape, name).toEqual(expected.shape);
      expect(Array.from(first.dataSync()), name).not.toEqual(Array.from(expected.dataSync()));
      expect(Array.from(first.dataSync()), name).not.toEqual(Array.from(second.dataSync()));
      tf.dispose([atInference, first, second]);
      if (expected !== images) expected.dispose();
    }
    images.dispose();
  });

  it('leave predict identical to the model without them, and the input alive', () => {
    const model = augmentedClassifier();
    const images = rampImages(2, 16, 16, 3);
    const a = model.predict(images) as tf.Tensor;
    const b = model.predict(images) as tf.Tensor;
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(images.isDisposed).toBe(false);
    tf.dispose([a, b, images]);
    model.dispose();
  });

  it('have class names the grader recognises as augmentation', () => {
    const model = augmentedClassifier();
    const names = everyAugmentationLayer().map((layer) => layer.getClassName());
    expect(names).toEqual([
      'RandomFlip',
      'RandomRotation',
      'RandomZoom',
      'RandomTranslation',
      'RandomCrop',
      'RandomBrightness',
      'RandomContrast',
      'GaussianNoise',
      'Cutout',
    ]);
    for (const name of names) expect(AUGMENTATION_LAYER_CLASSES).toContain(name);
    const [check] = checkRules(model, [{ type: 'requiresLayer', layer: 'RandomFlip' }], { epochs: 1 });
    expect(check).toMatchObject({ passed: true, detail: 'found RandomFlip ×1' });
    model.dispose();
  });

  it('save and reload with the same config and the same inference output', async () => {
    const model = augmentedClassifier();
    const artifacts = await saveToMemory(model);
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(reloaded.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
    reloaded.layers.forEach((layer, i) => {
      expect(layer.getConfig(), layer.getClassName()).toEqual(model.layers[i].getConfig());
    });
    // Keras's spelling of the flip mode is saved as ours.
    const reloadedLayer = (name: string) => reloaded.layers.find((l) => l.getClassName() === name)!;
    expect(reloadedLayer('RandomFlip').getConfig()).toMatchObject({ mode: 'both', seed: 1 });
    expect(reloadedLayer('RandomRotation').getConfig()).toMatchObject({
      factor: [-0.1, 0.2],
      fillMode: 'constant',
      fillValue: 0.5,
    });
    const images = rampImages(3, 16, 16, 3);
    const before = model.predict(images) as tf.Tensor;
    const after = reloaded.predict(images) as tf.Tensor;
    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    tf.dispose([images, before, after]);
    model.dispose();
    reloaded.dispose();
  });

  it('train with model.fit and leak nothing from one fit to the next', async () => {
    const model = augmentedClassifier();
    const { xs, ys } = trainingBatch(6);
    const kernel = model.layers.find((l) => l.getClassName() === 'Conv2D')!.getWeights()[0];
    const kernelBefore = Array.from(kernel.dataSync());
    // The first fit creates the optimizer's state; from the second on, the count must stay put.
    const first = await model.fit(xs, ys, { epochs: 1, batchSize: 6 });
    expect(Number.isFinite(first.history.loss[0] as number)).toBe(true);
    await expectNoLeak(() => model.fit(xs, ys, { epochs: 1, batchSize: 3 }).then(() => undefined));
    const kernelAfter = Array.from(
      model.layers
        .find((l) => l.getClassName() === 'Conv2D')!
        .getWeights()[0]
        .dataSync(),
    );
    expect(kernelAfter).not.toEqual(kernelBefore);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('pass gradients through when placed after a trainable layer', async () => {
    // conv → every augmentation → dense: the conv kernel only learns if gradients cross them all.
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 3, kernelSize: 1, padding: 'same' }));
    for (const layer of everyAugmentationLayer()) model.add(layer);
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    model.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
    const { xs, ys } = trainingBatch(4);
    const before = Array.from(model.layers[0].getWeights()[0].dataSync());
    const history = await model.fit(xs, ys, { epochs: 1, batchSize: 4 });
    expect(Number.isFinite(history.history.loss[0] as number)).toBe(true);
    const after = Array.from(model.layers[0].getWeights()[0].dataSync());
    expect(after.some((v, i) => Math.abs(v - before[i]) > 1e-7)).toBe(true);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('leak nothing when applied in training or at inference', async () => {
    const images = rampImages(2, 16, 16, 3);
    const pipeline = everyAugmentationLayer();
    await expectNoLeak(() =>
      pipeline.flatMap(
        (layer) => [layer.apply(images, { training: true }), layer.apply(images)] as tf.Tensor[],
      ),
    );
    images.dispose();
  });

  it('fail at construction with a message naming the layer and the option', () => {
    expect(() => layers.randomRotation({ factor: [0.3, 0.1] })).toThrow(
      'randomRotation: factor [lower, upper] needs lower ≤ upper, got [0.3,0.1]',
    );
    expect(() => layers.randomCrop({ height: 0, width: 4 })).toThrow(
      /randomCrop: height must be an integer ≥ 1/,
    );
    expect(() => layers.randomFlip({ seed: 1.5 })).toThrow(/RandomFlip: seed must be an integer/);
  });
});

describe.each(BACKENDS)('previewAugmentations on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('makes count augmented copies of one image, the same for the same seed', () => {
    const image = rampImages(1, 16, 16, 3).squeeze([0]) as tf.Tensor3D;
    const pipeline = [
      layers.randomFlip(),
      layers.randomRotation({ factor: 0.2 }),
      layers.randomCrop({ height: 8, width: 8 }),
    ];
    const grid = previewAugmentations(tf, image, pipeline, { count: 6, seed: 42 });
    expect(grid.shape).toEqual([6, 8, 8, 3]);
    const again = augment.preview(image, pipeline, { count: 6, seed: 42 });
    expect(Array.from(again.dataSync())).toEqual(Array.from(grid.dataSync()));
    const copies = tf.unstack(grid).map((t) => Array.from(t.dataSync()).join(','));
    expect(new Set(copies).size).toBeGreaterThan(1);
    expect(grid.min().dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(grid.max().dataSync()[0]).toBeLessThanOrEqual(1);
    tf.dispose([image, grid, again]);
  });

  it('takes a function pipeline and leaks nothing', async () => {
    const image = tf.fill([4, 4, 1], 0.5) as tf.Tensor3D;
    await expectNoLeak(() =>
      previewAugmentations(
        tf,
        image,
        (batch) => augment.ops.randomBrightness(batch, { factor: 0.4, seed: 1 }),
        {
          count: 4,
        },
      ),
    );
    const grid = previewAugmentations(tf, image, (batch) =>
      augment.ops.randomBrightness(batch, { factor: [0.7, 0.7] }),
    );
    expect(grid.shape).toEqual([9, 4, 4, 1]);
    expect(grid.max().dataSync()[0]).toBe(1); // clipped for drawing
    expect(() => previewAugmentations(tf, image, (b) => b.slice(0, 1), { count: 3 })).toThrow(
      /must return a batch of 3 images/,
    );
    tf.dispose([image, grid]);
  });
});
