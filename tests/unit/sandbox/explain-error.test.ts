/**
 * Errors that teach: every message here is produced by running tfjs with the mistake, so a tfjs
 * upgrade that rewords one fails this test instead of silently losing the explanation.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { explainTfError } from '../../../src/core/sandbox/explain-error';
import { describeLearnerError } from '../../../src/core/sandbox/compile';
import { runErrorHelp } from '../../../src/app/run/run-view';
import { tf, useCpuBackend } from '../grading/tiny-models';

beforeAll(useCpuBackend);

const COUNT = 8;

function images(shape: number[] = [4, 4, 1]): tf.Tensor {
  return tf.zeros([COUNT, ...shape]);
}
const classIndices = () => tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'float32');
const oneHot = (classes = 10) => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), classes);

function denseModel(units: number, inputShape: number[] = [4, 4, 1]): tf.Sequential {
  return tf.sequential({
    layers: [tf.layers.flatten({ inputShape }), tf.layers.dense({ units, activation: 'softmax' })],
  });
}

/** The message tfjs throws for `run`, which must throw. */
async function tfjsMessage(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected tfjs to throw');
}

async function fitMessage(
  model: tf.LayersModel,
  loss: string,
  xs: tf.Tensor,
  ys: tf.Tensor,
): Promise<string> {
  model.compile({ optimizer: 'adam', loss });
  try {
    await model.fit(xs, ys, { epochs: 1, verbose: 0 });
  } catch (error) {
    return (error as Error).message;
  } finally {
    model.dispose();
  }
  throw new Error('expected model.fit to throw');
}

describe('explainTfError on real tfjs errors', () => {
  it('wrong units in the last layer with categoricalCrossentropy: set units to the classes', async () => {
    const message = await fitMessage(denseModel(5), 'categoricalCrossentropy', images(), oneHot(10));
    expect(message).toMatch(/^target expected a batch of elements where each example has shape \[5\]/);
    expect(explainTfError(message)).toBe(
      'model.fit: your last layer has 5 units; the labels have 10 classes (one-hot vectors of 10) — ' +
        'set units: 10 in the last Dense layer, one per class.',
    );
  });

  it('one-hot labels with sparseCategoricalCrossentropy: pass class indices or change the loss', async () => {
    const message = await fitMessage(denseModel(10), 'sparseCategoricalCrossentropy', images(), oneHot(10));
    expect(message).toMatch(/each example has shape \[1\]/);
    const hint = explainTfError(message);
    expect(hint).toMatch(/the labels are one-hot vectors of 10/);
    expect(hint).toMatch(/loss: 'categoricalCrossentropy'/);
    expect(hint).toMatch(/pass the class indices \(lab's labels\)/);
  });

  it('class indices with categoricalCrossentropy: use the sparse loss or one-hot labels', async () => {
    const message = await fitMessage(denseModel(10), 'categoricalCrossentropy', images(), classIndices());
    expect(message).toMatch(/each example has shape \[10\].*each with shape \[1\]/s);
    const hint = explainTfError(message);
    expect(hint).toMatch(/^model\.fit: the labels are class indices \(one number per image\)/);
    expect(hint).toMatch(/loss: 'sparseCategoricalCrossentropy'/);
    expect(hint).toMatch(/tf\.oneHot\(labels, 10\)/);
  });

  it('images of another shape than the first layer was built for', async () => {
    const message = await fitMessage(
      denseModel(10, [28, 28, 1]),
      'categoricalCrossentropy',
      images(),
      oneHot(),
    );
    expect(explainTfError(message)).toBe(
      'model.fit: the first layer was built for images of shape [28,28,1] but this data has images of shape [4,4,1]. ' +
        'Set inputShape: [4, 4, 1] on the first layer (or resize the images to fit).',
    );
  });

  it('colour against greyscale: says the channels differ', async () => {
    const message = await fitMessage(
      denseModel(10, [4, 4, 3]),
      'categoricalCrossentropy',
      images(),
      oneHot(),
    );
    expect(explainTfError(message)).toMatch(
      /The sizes agree but the channels do not: these images are greyscale \(1 channel\), the model was built for 3\./,
    );
  });

  it('model.predict on images of the wrong shape', async () => {
    const model = denseModel(10, [28, 28, 1]);
    const xs = images();
    const message = await tfjsMessage(() => model.predict(xs));
    model.dispose();
    xs.dispose();
    expect(explainTfError(message)).toMatch(
      /^model\.predict \(or evaluate\): the first layer was built for images of shape \[28,28,1\] but this data has images of shape \[4,4,1\]/,
    );
  });

  it('a Dense first layer on images: flatten them first', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 10, inputShape: [16], activation: 'softmax' })],
    });
    const message = await fitMessage(model, 'categoricalCrossentropy', images(), oneHot());
    expect(explainTfError(message)).toMatch(
      /^model\.fit: the first layer, the Dense layer \(dense_Dense\d+\), takes flat vectors, but the images have shape \[4,4,1\]\. Start the model with tf\.layers\.flatten\(\{ inputShape: \[4, 4, 1\] \}\)/,
    );
  });

  it('Dense after a convolution without Flatten: the last layer outputs a feature map', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 4, kernelSize: 3 }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    const message = await fitMessage(model, 'categoricalCrossentropy', images(), oneHot());
    expect(explainTfError(message)).toMatch(
      /still outputs a 4-dimensional feature map.*Add tf\.layers\.flatten\(\)/s,
    );
  });

  it('one-hot labels with an extra dimension', async () => {
    const labels = tf.oneHot(tf.zeros([COUNT, 1], 'int32') as tf.Tensor2D, 10);
    const message = await fitMessage(denseModel(10), 'categoricalCrossentropy', images(), labels);
    expect(explainTfError(message)).toMatch(/the labels have shape \[8,1,10\], one dimension too many/);
  });

  it('a convolution after Flatten', async () => {
    const message = await tfjsMessage(() =>
      tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [16], filters: 4, kernelSize: 3 })] }),
    );
    expect(explainTfError(message)).toMatch(
      /^Building the model: the Conv2D layer \(conv2d_Conv2D\d+\) works on images/,
    );
  });

  it('images and labels of different lengths', async () => {
    const message = await fitMessage(denseModel(10), 'categoricalCrossentropy', images(), tf.zeros([4, 10]));
    expect(explainTfError(message)).toMatch(/^model\.fit: 8 images but 4 labels\./);
  });

  it('fit before compile, and a loss name tfjs does not know', async () => {
    const model = denseModel(10);
    const notCompiled = await tfjsMessage(() => model.fit(images(), oneHot(), { epochs: 1, verbose: 0 }));
    expect(explainTfError(notCompiled)).toMatch(/^Call model\.compile\(/);
    const unknown = await tfjsMessage(() => model.compile({ optimizer: 'adam', loss: 'crossentropy' }));
    model.dispose();
    expect(explainTfError(unknown)).toMatch(
      /^The loss "crossentropy" is not one tfjs knows; the names are camelCase: 'categoricalCrossentropy'/,
    );
  });

  it('dtypes: float labels to tf.oneHot, a string tensor to arithmetic', async () => {
    const oneHotFloat = await tfjsMessage(() => tf.oneHot(tf.tensor1d([1, 2]) as never, 10));
    expect(explainTfError(oneHotFloat)).toMatch(
      /^tf\.oneHot needs class indices as int32, but got float32\. Cast them first: tf\.oneHot\(labels\.toInt\(\), classes\)/,
    );
    const addString = await tfjsMessage(() => tf.add(tf.tensor1d(['a']), tf.zeros([1])));
    expect(explainTfError(addString)).toMatch(
      /^tf\.add: its argument 'a' must be a numeric tensor but is string\./,
    );
  });

  it('reshape to the wrong size, and shapes that do not broadcast', async () => {
    const reshape = await tfjsMessage(() => tf.zeros([8, 4, 4, 1]).reshape([8, 15]));
    expect(explainTfError(reshape)).toMatch(/^reshape: the tensor holds 128 values but the shape \[8,15\]/);
    const broadcast = await tfjsMessage(() => tf.sub(tf.zeros([8, 10]), tf.zeros([8, 5])));
    expect(explainTfError(broadcast)).toMatch(/shapes \[8,10\] and \[8,5\], which do not line up/);
  });

  it('leaves messages it does not know alone', () => {
    expect(explainTfError('train is not a function')).toBeUndefined();
  });

  it('describeLearnerError carries the explanation as the hint', async () => {
    const model = denseModel(5);
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    let caught: unknown;
    try {
      await model.fit(images(), oneHot(10), { epochs: 1, verbose: 0 });
    } catch (error) {
      caught = error;
    }
    model.dispose();
    const info = describeLearnerError(caught, 'runtime');
    expect(info.hint).toMatch(/set units: 10 in the last Dense layer/);
  });
});

describe('runErrorHelp (the page)', () => {
  const fetchFailed = {
    kind: 'runtime' as const,
    message:
      'DatasetError: manifest.json: could not be fetched from /datasets/fashion-mnist/ (Failed to fetch)',
  };

  it('offline: says the lab is offline, names the dataset, links the Datasets page', () => {
    expect(runErrorHelp(fetchFailed, false)).toEqual({
      hint:
        'The lab is offline and the dataset fashion-mnist is not kept in this browser yet. Connect once and ' +
        'download it from the Datasets page; after that it trains offline.',
      linkDatasets: true,
    });
  });

  it('online: the server did not answer, and still links the Datasets page', () => {
    const help = runErrorHelp(
      { ...fetchFailed, message: fetchFailed.message.replace('DatasetError: ', '') },
      true,
    );
    expect(help.linkDatasets).toBe(true);
    expect(help.hint).toMatch(/^The lab could not download the dataset fashion-mnist/);
  });

  it('keeps a hint the error came with, explains a tfjs text that came without one', () => {
    expect(runErrorHelp({ kind: 'runtime', message: 'x', hint: 'End with return model;' }, true)).toEqual({
      hint: 'End with return model;',
      linkDatasets: false,
    });
    const shape =
      'target expected a batch of elements where each example has shape [5] (i.e.,tensor shape [*,5]) but the target ' +
      'received an input with 32 examples, each with shape [10] (tensor shape [32,10])';
    expect(runErrorHelp({ kind: 'runtime', message: shape }, true).hint).toMatch(/set units: 10/);
    expect(runErrorHelp({ kind: 'runtime', message: 'boom' }, true)).toEqual({ linkDatasets: false });
  });
});
