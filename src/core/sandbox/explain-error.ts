/**
 * tfjs's error texts, explained: which layer or call an error comes from, what does not match what,
 * and the fix, in the learner's words (`units: 10`, `inputShape`, `sparseCategoricalCrossentropy`).
 *
 * tfjs says "target expected a batch of elements where each example has shape [5] (i.e.,tensor
 * shape [*,5]) but the target received an input with 32 examples, each with shape [10]"; a learner
 * needs "your last layer has 5 units; the labels have 10 classes — set units: 10 in the last Dense
 * layer". Each pattern below is a text tfjs really throws (tests/unit/sandbox/explain-error.test.ts
 * produces every one by running tfjs with the mistake). Pure text in, text out: it runs where the
 * error is described (compile.ts `describeLearnerError`) and again in the page for errors that came
 * without a hint.
 *
 * The Lab hands out labels both ways (lab-data.ts): `ys` one-hot, for categoricalCrossentropy, and
 * `labels` as class indices, for sparseCategoricalCrossentropy.
 */

/** The hint for a tfjs error message, or undefined when the message is not one we know. */
export function explainTfError(message: string): string | undefined {
  for (const explain of explainers) {
    const hint = explain(message);
    if (hint) return hint;
  }
  return undefined;
}

type Explainer = (message: string) => string | undefined;

const explainers: Explainer[] = [
  explainTargetShape,
  explainInputShape,
  explainInputRank,
  explainPredictShape,
  explainTargetRank,
  explainLayerRank,
  explainSampleCounts,
  explainNotCompiled,
  explainUnknownName,
  explainDtype,
  explainReshape,
  explainBroadcast,
];

// ---- model.fit: labels against the last layer --------------------------------------------------

/** `target expected ... shape [5] ... each with shape [10]`: the labels do not fit the last layer. */
function explainTargetShape(message: string): string | undefined {
  const match =
    /target expected a batch of elements where each example has shape \[([^\]]*)\].*?each with shape \[([^\]]*)\]/s.exec(
      message,
    );
  if (!match) return undefined;
  const output = dims(match[1]);
  const labels = dims(match[2]);
  const units = output.length === 1 ? output[0] : undefined;
  const perLabel = labels.length === 0 ? 1 : labels.length === 1 ? labels[0] : undefined;
  if (units === 1 && perLabel !== undefined && perLabel > 1) {
    return (
      `model.fit: the model gives one number per image (a last layer of 1 unit, or the loss sparseCategoricalCrossentropy, ` +
      `which compares with one class index per image), but the labels are one-hot vectors of ${perLabel}. ` +
      `Either keep one-hot labels (lab's ys) with loss: 'categoricalCrossentropy' and units: ${perLabel} in the last Dense layer, ` +
      `or keep sparseCategoricalCrossentropy and pass the class indices (lab's labels) instead of ys.`
    );
  }
  if (units !== undefined && units > 1 && perLabel === 1) {
    return (
      `model.fit: the labels are class indices (one number per image) but the loss expects one-hot vectors of ${units} ` +
      `(categoricalCrossentropy or binaryCrossentropy over ${units} units). Use loss: 'sparseCategoricalCrossentropy' with ` +
      `these labels, or pass one-hot labels (lab's ys, or tf.oneHot(labels, ${units})).`
    );
  }
  if (units !== undefined && perLabel !== undefined && units !== perLabel) {
    return (
      `model.fit: your last layer has ${units} units; the labels have ${perLabel} classes (one-hot vectors of ${perLabel}) — ` +
      `set units: ${perLabel} in the last Dense layer, one per class.`
    );
  }
  return (
    `model.fit: the model's output for one image has shape [${match[1]}] but each label has shape [${match[2]}]. ` +
    `The last layer must give one value per class: a Flatten before the Dense layers, and units equal to the number of classes.`
  );
}

/** `Error when checking target: expected dense_Dense14 to have 4 dimension(s). but got array with shape 8,10`. */
function explainTargetRank(message: string): string | undefined {
  const match =
    /Error when checking target: expected (\S+) to have (\d+) dimension\(s\)\. but got array with shape ([\d,]*)/.exec(
      message,
    );
  if (!match) return undefined;
  const [, layer, rankText, shapeText] = match;
  const outputRank = Number(rankText);
  const labels = dims(shapeText);
  if (outputRank > 2 && labels.length === 2) {
    return (
      `model.fit: the last layer, ${describeLayer(layer)}, still outputs a ${outputRank}-dimensional feature map (one value per position ` +
      `of the image) while the labels have one row per image. Add tf.layers.flatten() (or tf.layers.globalAveragePooling2d()) ` +
      `after the convolutions, before the Dense layers.`
    );
  }
  if (labels.length > 2) {
    return (
      `model.fit: the labels have shape [${labels.join(',')}], one dimension too many (tf.oneHot of labels shaped [n, 1] gives ` +
      `[n, 1, classes]). Flatten the indices first: tf.oneHot(labels.reshape([-1]), classes), or use lab's ys as they come.`
    );
  }
  return (
    `model.fit: the last layer, ${describeLayer(layer)}, outputs ${outputRank} dimensions per batch but the labels have shape ` +
    `[${labels.join(',')}]. Make the last layer a Dense layer with one unit per class.`
  );
}

// ---- the images against the first layer ----------------------------------------------------------

/** `input expected ... shape [28,28,1] ... each with shape [4,4,1]`: the images do not fit the first layer. */
function explainInputShape(message: string): string | undefined {
  const match =
    /input expected a batch of elements where each example has shape \[([^\]]*)\].*?each with shape \[([^\]]*)\]/s.exec(
      message,
    );
  if (!match) return undefined;
  return inputShapeHint('model.fit', dims(match[1]), dims(match[2]));
}

/** `Error when checking : expected flatten_Flatten8_input to have shape [null,28,28,1] but got array with shape [8,4,4,1].` */
function explainPredictShape(message: string): string | undefined {
  const match =
    /Error when checking[^:]*: expected (\S+) to have shape \[([^\]]*)\] but got array with shape \[([^\]]*)\]/.exec(
      message,
    );
  if (!match) return undefined;
  // Both shapes name the batch first ([null,28,28,1] and [8,4,4,1]): drop it from each.
  return inputShapeHint(
    'model.predict (or evaluate)',
    dims(match[2], true).slice(1),
    dims(match[3], true).slice(1),
  );
}

function inputShapeHint(call: string, expected: number[], images: number[]): string {
  const sameSize =
    expected.length === 3 && images.length === 3 && expected[0] === images[0] && expected[1] === images[1];
  const channels =
    sameSize && expected[2] !== images[2]
      ? ` The sizes agree but the channels do not: ${images[2] === 1 ? 'these images are greyscale (1 channel)' : `these images have ${images[2]} channels`}, ` +
        `the model was built for ${expected[2]}.`
      : '';
  return (
    `${call}: the first layer was built for images of shape [${expected.join(',')}] but this data has images of shape ` +
    `[${images.join(',')}].${channels} Set inputShape: [${images.join(', ')}] on the first layer (or resize the images to fit).`
  );
}

/** `Error when checking input: expected dense_Dense8_input to have 2 dimension(s). but got array with shape 8,4,4,1`. */
function explainInputRank(message: string): string | undefined {
  const match =
    /Error when checking input: expected (\S+) to have (\d+) dimension\(s\)\. but got array with shape ([\d,]*)/.exec(
      message,
    );
  if (!match) return undefined;
  const [, input, rankText, shapeText] = match;
  const rank = Number(rankText);
  const shape = dims(shapeText);
  const image = shape.slice(1);
  const layer = describeLayer(input.replace(/_input$/, ''));
  if (rank === 2 && shape.length === 4) {
    return (
      `model.fit: the first layer, ${layer}, takes flat vectors, but the images have shape [${image.join(',')}]. ` +
      `Start the model with tf.layers.flatten({ inputShape: [${image.join(', ')}] }), then the Dense layers ` +
      `(or start with a Conv2D, which takes images as they are).`
    );
  }
  return (
    `model.fit: the first layer, ${layer}, takes inputs of ${rank} dimensions (the batch included) but the data has ` +
    `${shape.length} ([${shape.join(',')}]). Give the first layer inputShape: [${image.join(', ')}].`
  );
}

/** `Input 0 is incompatible with layer conv2d_Conv2D1: expected ndim=4, found ndim=2`: a layer between two others. */
function explainLayerRank(message: string): string | undefined {
  const match = /Input \d+ is incompatible with layer (\S+): expected ndim=(\d+), found ndim=(\d+)/.exec(
    message,
  );
  if (!match) return undefined;
  const [, layer, expectedText, foundText] = match;
  const expected = Number(expectedText);
  const found = Number(foundText);
  if (expected === 4 && found === 2) {
    return (
      `Building the model: ${describeLayer(layer)} works on images ([height, width, channels] per example) but what comes into it ` +
      `is flat. Put convolutions and pooling before the Flatten layer, and give the first layer the images' shape ` +
      `(inputShape: [height, width, channels]).`
    );
  }
  return (
    `Building the model: ${describeLayer(layer)} takes inputs of ${expected} dimensions (the batch included) but the layer ` +
    `before it gives ${found}. Check the order of the layers and the first layer's inputShape.`
  );
}

// ---- calls ------------------------------------------------------------------------------------------

function explainSampleCounts(message: string): string | undefined {
  const match = /Found (\d+) input sample\(s\) and (\d+) target sample\(s\)/.exec(message);
  if (!match) return undefined;
  return (
    `model.fit: ${match[1]} images but ${match[2]} labels. Pass the images and labels of the same split ` +
    `(train.xs with train.ys, or train.labels), sliced the same way.`
  );
}

function explainNotCompiled(message: string): string | undefined {
  if (!/needs to be compiled before being used/.test(message)) return undefined;
  return "Call model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] }) before model.fit.";
}

function explainUnknownName(message: string): string | undefined {
  const match = /Unknown (loss|optimizer|metric|activation)[^\w]*(\S*)/.exec(message);
  if (!match) return undefined;
  const known: Record<string, string> = {
    loss: "'categoricalCrossentropy' (one-hot labels), 'sparseCategoricalCrossentropy' (class indices), 'binaryCrossentropy' (one sigmoid unit), 'meanSquaredError'",
    optimizer: "'adam', 'sgd', 'rmsprop', or an object such as tf.train.adam(0.001)",
    metric: "'accuracy'",
    activation: "'relu', 'softmax', 'sigmoid', 'tanh', 'linear'",
  };
  return `The ${match[1]} ${match[2] ? `"${match[2]}" ` : ''}is not one tfjs knows; the names are camelCase: ${known[match[1]]}.`;
}

// ---- tensor operations --------------------------------------------------------------------------

/** `Argument 'indices' passed to 'oneHot' must be int32 tensor, but got float32 tensor`. */
function explainDtype(message: string): string | undefined {
  const match = /Argument '(\w+)' passed to '(\w+)' must be (\w+) tensor, but got (\w+) tensor/.exec(message);
  if (!match) return undefined;
  const [, argument, op, wanted, got] = match;
  if (op === 'oneHot') {
    return (
      `tf.oneHot needs class indices as int32, but got ${got}. Cast them first: tf.oneHot(labels.toInt(), classes) ` +
      `(lab's labels are already class indices; lab's ys are already one-hot).`
    );
  }
  const fix =
    wanted === 'int32'
      ? `.toInt() (or tf.cast(x, 'int32'))`
      : wanted === 'float32' || wanted === 'numeric'
        ? `.toFloat() (or tf.cast(x, 'float32')); a string tensor holds text, not numbers`
        : `tf.cast(x, '${wanted}')`;
  return `tf.${op}: its argument '${argument}' must be a ${wanted} tensor but is ${got}. Convert it with ${fix}.`;
}

/** `Size(128) must match the product of shape 8,15`. */
function explainReshape(message: string): string | undefined {
  const match = /Size\((\d+)\) must match the product of shape ([\d,-]*)/.exec(message);
  if (!match) return undefined;
  return (
    `reshape: the tensor holds ${match[1]} values but the shape [${match[2]}] holds a different number. Keep the batch ` +
    `size and let tfjs work out one dimension: x.reshape([batch, -1]), or use tf.layers.flatten() inside the model.`
  );
}

/** `Operands could not be broadcast together with shapes 8,10 and 8,5.` */
function explainBroadcast(message: string): string | undefined {
  const match = /Operands could not be broadcast together with shapes ([\d,]*) and ([\d,]*)/.exec(message);
  if (!match) return undefined;
  return (
    `An element-wise operation (add, sub, mul, div) got tensors of shapes [${match[1]}] and [${match[2]}], which do not line ` +
    `up: each dimension must be equal or 1. Print the shapes (x.shape) just before that line; often predictions and labels ` +
    `have different numbers of classes.`
  );
}

// ---- words ----------------------------------------------------------------------------------------

/**
 * "1,28, 28" → [1, 28, 28]. A "null" or "*" (the batch) is dropped, or with `keepBatch` kept as NaN
 * so that the caller can slice the batch off by position.
 */
function dims(text: string, keepBatch = false): number[] {
  return text
    .split(',')
    .map((d) => d.trim())
    .filter((d) => /^\d+$/.test(d) || (keepBatch && d !== ''))
    .map((d) => (/^\d+$/.test(d) ? Number(d) : NaN));
}

/** `dense_Dense14` → "the Dense layer (dense_Dense14)". */
function describeLayer(name: string): string {
  const kind = /_([A-Z][A-Za-z0-9]*?)\d*$/.exec(name)?.[1];
  return kind ? `the ${kind} layer (${name})` : `the layer ${name}`;
}
