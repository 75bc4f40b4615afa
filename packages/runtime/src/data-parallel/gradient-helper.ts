/**
 * A gradient helper: the other side of a data-parallel training step (README.md).
 *
 * It holds a copy of the learner's model, rebuilt from its serialized topology (no learner code runs
 * here: only tfjs's own layer classes can be named), and answers one job at a time: take the weights
 * as they are before the step and a slice of the batch, compute that slice's loss, metrics and the
 * gradients of the trainable weights with tfjs's own train function, and write them back. It never
 * updates a weight: the caller averages every part's gradients and applies them with the learner's
 * optimizer, so the model trains as it would on one thread, up to the order of float additions and
 * batch normalisation's statistics, which each part takes over its own rows.
 *
 * `GradientHelper` is the logic, testable in one thread; `serveGradientHelper` is the wait loop a
 * helper worker runs.
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';
import type { TF } from '../tf';
import type { CompiledModel } from './split-training';
import {
  awaitJob,
  CONFIGURE,
  DONE,
  FAILED,
  finish,
  INPUT_FLOATS,
  openStepChannel,
  readText,
  ROWS,
  STEP,
  STOP,
  SWAP_BUFFER,
  TARGET_FLOATS,
  VALUES,
  WEIGHT_FLOATS,
  writeText,
  type StepChannel,
  readStepShapes,
} from './step-channel';

/** What a helper needs to rebuild the model: plain data only. */
export interface HelperConfig {
  /** `model.toJSON(null, false)`: the topology, no weights. */
  topology: object;
  /** The loss and metrics exactly as given to `compile` (names only: a function cannot cross). */
  loss: string | string[];
  metrics?: string | string[];
  /** Shapes of `model.weights`, in order; the helper checks its copy against them. */
  weightShapes: number[][];
  /** Indices into `model.weights` of the weights the step trains, in the optimizer's order. */
  trainable: number[];
  /** Seeds the helper's `Math.random` (dropout masks) so that a seeded run stays repeatable. */
  seed: number;
}

type Compiled = CompiledModel & {
  compile(args: { optimizer: string; loss: string | string[]; metrics?: string | string[] }): void;
};

/**
 * A helper past its share of memory: it answers with this and ends, so that its memory goes back
 * (a WASM heap never shrinks) and the caller trains on its own thread from there.
 */
export class HelperMemoryError extends Error {
  override name = 'HelperMemoryError';
}

/** Bytes a model of `weights` floats holds in a helper: the weights and their gradients, and as much for the step. */
const BYTES_PER_WEIGHT = 4 * 3;

export class GradientHelper {
  private model: Compiled | null = null;
  private config: HelperConfig | null = null;

  /**
   * @param seedRandom swaps `Math.random` for a generator seeded with the given number: the app's
   *   `seedThreadRandom` (src/core/shared/seed.ts), which this package cannot import. A helper's
   *   thread runs nothing else, so its `Math.random` is the dropout masks' only source.
   */
  constructor(
    private readonly tf: TF,
    private readonly seedRandom: (seed: number) => void,
    /**
     * This helper's share of memory, where its host counts it (the CLI: its sandbox's memory cap
     * shared by its helpers). A model whose declared weights need more is refused before it is
     * built, and tensors past it after a job end the helper (`HelperMemoryError`).
     */
    private readonly memoryLimitBytes = Infinity,
  ) {}

  async configure(config: HelperConfig): Promise<void> {
    this.model?.dispose();
    this.model = null;
    const weights = config.weightShapes.reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
    if (!(weights * BYTES_PER_WEIGHT <= this.memoryLimitBytes))
      throw new Error(
        `the model's ${weights.toLocaleString('en-US')} weights need more than this helper's share of memory (${megabytes(this.memoryLimitBytes)})`,
      );
    const model = (await this.tf.models.modelFromJSON({
      modelTopology: config.topology,
    } as never)) as unknown as Compiled;
    const shapes = model.weights.map((weight) => weight.shape as number[]);
    if (
      shapes.length !== config.weightShapes.length ||
      shapes.some((shape, i) => shape.join(',') !== config.weightShapes[i].join(','))
    ) {
      model.dispose();
      throw new Error('the rebuilt model has other weights than the learner’s');
    }
    model.compile({ optimizer: 'sgd', loss: config.loss, metrics: config.metrics });
    this.seedRandom(config.seed);
    this.model = model;
    this.config = config;
    this.checkMemory();
  }

  /** Throws `HelperMemoryError` when this helper's tensors hold more than its share. */
  checkMemory(): void {
    const held = this.tf.memory().numBytes;
    if (held > this.memoryLimitBytes)
      throw new HelperMemoryError(
        `a helper held ${megabytes(held)} of tensors, more than its share (${megabytes(this.memoryLimitBytes)})`,
      );
  }

  /** Compute one slice's gradients; the channel holds the job and receives the answer. */
  step(channel: StepChannel): void {
    const { tf } = this;
    const model = this.model;
    const config = this.config;
    if (!model || !config) throw new Error('no model configured');
    const rows = channel.control[ROWS];
    const weightFloats = channel.control[WEIGHT_FLOATS];
    const inputFloats = channel.control[INPUT_FLOATS];
    const targetFloats = channel.control[TARGET_FLOATS];
    const shapes = readStepShapes(channel);
    const floats = channel.floats;
    let offset = 0;
    tf.tidy(() => {
      for (const weight of model.weights) {
        const size = (weight.shape as number[]).reduce((a, b) => a * b, 1);
        weight.write(tf.tensor(floats.slice(offset, offset + size), weight.shape as number[]));
        offset += size;
      }
      if (offset !== weightFloats) throw new Error('weights of another size than configured');
      const input = tf.tensor(floats.slice(offset, offset + inputFloats), [rows, ...shapes.input], 'float32');
      offset += inputFloats;
      const target = tf.tensor(
        floats.slice(offset, offset + targetFloats),
        [rows, ...shapes.target],
        'float32',
      );
      offset += targetFloats;
      const trainable: Variable[] = config.trainable.map((index) => model.weights[index].read());
      let resultOffset = offset;
      // tfjs's train function computes the loss and metrics and hands the gradients to the
      // model's optimizer: this one writes them out instead of applying them.
      const compiled = model.optimizer_;
      model.optimizer_ = {
        minimize: (loss: () => Tensor, _returnCost: boolean) => {
          const { value, grads } = tf.variableGrads(loss as () => never, trainable);
          for (const variable of trainable) {
            const gradient = grads[variable.name].dataSync() as Float32Array;
            floats.set(gradient, resultOffset);
            resultOffset += gradient.length;
          }
          return value;
        },
      };
      let values: number[];
      try {
        values = model
          .makeTrainFunction()([
            shapes.inputDtype === 'int32' ? input.toInt() : input,
            shapes.targetDtype === 'int32' ? target.toInt() : target,
          ])
          .map((value) => value.dataSync()[0]);
      } finally {
        model.optimizer_ = compiled;
      }
      floats.set(values, resultOffset);
      channel.control[VALUES] = values.length;
    });
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
  }
}

/**
 * A helper worker's loop: serve jobs on `buffer` until told to stop or to take another buffer,
 * which `nextBuffer` then delivers (from the worker's next message).
 */
export async function serveGradientHelper(
  helper: GradientHelper,
  buffer: SharedArrayBuffer,
  nextBuffer: () => Promise<SharedArrayBuffer>,
): Promise<void> {
  let channel = openStepChannel(buffer);
  for (;;) {
    const op = awaitJob(channel);
    try {
      if (op === CONFIGURE) await helper.configure(JSON.parse(readText(channel)) as HelperConfig);
      else if (op === STEP) {
        helper.step(channel);
        helper.checkMemory();
      } else if (op === SWAP_BUFFER) {
        finish(channel, DONE);
        channel = openStepChannel(await nextBuffer());
        continue;
      } else if (op === STOP) {
        helper.dispose();
        finish(channel, DONE);
        return;
      }
      finish(channel, DONE);
    } catch (error) {
      writeText(channel, error instanceof Error ? error.message : String(error));
      finish(channel, FAILED);
      if (error instanceof HelperMemoryError) {
        helper.dispose();
        return;
      }
    }
  }
}

const megabytes = (bytes: number) => `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MB`;
