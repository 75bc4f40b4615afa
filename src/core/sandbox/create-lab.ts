/**
 * Builds the `Lab` a run hands to learner code, inside the sandbox. Data comes through
 * `lab.data.load`, which asks the host: the host hands out the training split's train and
 * validation parts only (and records which images it gave as validation); the test split never
 * enters the sandbox.
 */
import type { Lab, LabDataset, DataLoadOptions } from './lab';
import type { TF } from '../shared/tf';
import type { RunEventSink } from './events';
import type { MonitorContext } from './monitor';
import { createAugmentApi } from '../augment';
import { resolveDataLoadOptions } from '../datasets/tensors';
import { createLabModels } from '../models/lab-models';
import type { HashTrustStore, ModelFileReader } from '../models/registry';

export interface LabParts {
  tf: TF;
  backend: string;
  exercise: { id: string; timeLimitSeconds: number };
  emit: RunEventSink;
  /** Asks the host for a dataset's training data, split as `options` say, as Lab tensors. */
  loadData(id: string, options: DataLoadOptions): Promise<LabDataset>;
  /** A fresh training monitor, the same kind registered for every `fit`. */
  newMonitor(): InstanceType<TF['Callback']>;
  monitor: MonitorContext;
  /** Reads a pretrained model's files (see `RunEnvironment.modelReader`); absent: none available. */
  modelReader?: (modelId: string) => ModelFileReader;
  modelTrust?: HashTrustStore;
}

export function createLab(parts: LabParts): Lab {
  const { tf, emit } = parts;
  return {
    tf,
    backend: parts.backend,
    exercise: { ...parts.exercise },
    augment: createAugmentApi(tf),
    models: createLabModels(tf, {
      reader: parts.modelReader,
      trust: parts.modelTrust,
      log: (message) => emit({ type: 'log', level: 'info', message }),
    }),
    data: {
      async load(id: string, options: DataLoadOptions = {}): Promise<LabDataset> {
        if (typeof id !== 'string' || id.length === 0) {
          throw new Error("lab.data.load needs a dataset id, e.g. lab.data.load('fashion-mnist')");
        }
        const labData = await parts.loadData(id, plainOptions(options));
        emit({
          type: 'log',
          level: 'info',
          message:
            `Loaded ${id}: ${labData.train.count} training images` +
            (labData.validation ? `, ${labData.validation.count} validation images` : '') +
            ` of shape [${labData.imageShape.join(', ')}], ${labData.classNames.length} classes`,
        });
        return labData;
      },
    },
    callbacks() {
      return parts.newMonitor() as never;
    },
    log(...values: unknown[]) {
      emit({ type: 'log', level: 'info', message: values.map(formatLogValue).join(' ') });
    },
  };
}

/**
 * The options checked here first (so the learner gets the message at once, as before) and sent as
 * plain numbers; the host checks them again.
 */
function plainOptions(options: DataLoadOptions | undefined): DataLoadOptions {
  const { validationSplit, limit, seed } = resolveDataLoadOptions(options);
  return { validationSplit, seed, ...(limit !== undefined ? { limit } : {}) };
}

/** Formats what learner code logs: tensors print their values, objects as JSON, the rest as text. */
export function formatLogValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'dataSync' in value && 'shape' in value) {
    return (value as { toString(verbose?: boolean): string }).toString();
  }
  if (value instanceof Error) return value.message;
  if (value && typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}
