/**
 * Rule checks on the returned model and the run, and target checks on the measured metrics.
 *
 * Every check carries a detail a learner can act on: what was found next to what was asked
 * ("1,234,567 parameters, budget 100,000"), never a bare "failed".
 */
import type * as tf from '@tensorflow/tfjs';
import type { Check, MetricName, Rule, Target } from '../exercises/schema';

export type Split = Target['split'];

/**
 * Measured metrics by split, keyed by metric name. `test` comes from the grader; `validation` and
 * `train` from the run's last epoch. A metric that was not measured is simply absent.
 */
export type MetricsBySplit = Partial<Record<Split, Partial<Record<MetricName, number>>>>;

export interface RunFacts {
  /** Epochs the learner's run actually trained. */
  epochs: number;
  /** Figures of every epoch trained, in order (tfjs names: `acc`, `loss`, `val_acc`, ...). */
  history?: { epoch: number; logs: Record<string, number> }[];
  /**
   * Whether a callback of the learner's ended `fit` by setting `model.stopTraining` (observed in
   * the sandbox). Absent where unknown (a re-grade of a stored report).
   */
  stoppedByCallback?: boolean;
  /** Optimizer updates made outside `fit` and `trainOnBatch`, whose epochs cannot be counted. */
  stepsOutsideFit?: number;
}

/** Rules about the model alone, which can be checked before it trains (`checkRulesBeforeTraining`). */
const STRUCTURAL_RULES: readonly Rule['type'][] = [
  'inputShape',
  'outputUnits',
  'maxParams',
  'requiresLayer',
  'forbidsLayer',
  'maxLayerCount',
  'requiresAnyLayer',
  'maxTrainableParams',
];

/**
 * The rules a model can be held to before it trains (its shape, size and layers), checked as the
 * grader will: the run warns at `fit`'s start when one is already broken, so a learner does not
 * wait out a long run for a grade that cannot pass.
 */
export function checkRulesBeforeTraining(model: tf.LayersModel, rules: readonly Rule[]): Check[] {
  return checkRules(
    model,
    rules.filter((rule) => STRUCTURAL_RULES.includes(rule.type)),
    { epochs: 0 },
  );
}

export function checkRules(model: tf.LayersModel, rules: readonly Rule[], run: RunFacts): Check[] {
  return rules.map((rule) => checkRule(model, rule, run));
}

function checkRule(model: tf.LayersModel, rule: Rule, run: RunFacts): Check {
  switch (rule.type) {
    case 'inputShape': {
      const shape = model.inputs[0]?.shape ?? [];
      // The first dimension is the batch (null): the rule names the shape of one image.
      const passed = sameShape(shape.slice(1), rule.shape);
      return {
        id: 'rule:inputShape',
        label: `Input shape ${formatShape(rule.shape)}`,
        passed,
        detail: `input shape ${formatShape(shape)}, expected ${formatShape(rule.shape)}`,
      };
    }
    case 'outputUnits': {
      const shape = model.outputs[0]?.shape ?? [];
      const units = shape[shape.length - 1];
      return {
        id: 'rule:outputUnits',
        label: `${rule.units} output units`,
        passed: units === rule.units,
        detail: `output shape ${formatShape(shape)}: ${units ?? 'no'} units, expected ${rule.units}`,
      };
    }
    case 'maxParams': {
      const params = model.countParams();
      return {
        id: 'rule:maxParams',
        label: `At most ${formatCount(rule.value)} parameters`,
        passed: params <= rule.value,
        detail: `${formatCount(params)} parameters, budget ${formatCount(rule.value)}`,
      };
    }
    case 'requiresLayer': {
      const found = countLayers(model, rule.layer);
      return {
        id: `rule:requiresLayer:${rule.layer}`,
        label: `Uses a ${rule.layer} layer`,
        passed: found.count > 0,
        detail:
          found.count > 0
            ? `found ${found.name} ×${found.count}`
            : `no ${rule.layer} layer found (the model has ${describeLayerKinds(model)})`,
      };
    }
    case 'forbidsLayer': {
      const found = countLayers(model, rule.layer);
      return {
        id: `rule:forbidsLayer:${rule.layer}`,
        label: `No ${rule.layer} layer`,
        passed: found.count === 0,
        detail:
          found.count === 0
            ? `no ${rule.layer} layer`
            : `found ${found.name} ×${found.count}, which this exercise forbids`,
      };
    }
    case 'maxEpochs': {
      const outside = run.stepsOutsideFit ?? 0;
      return {
        id: 'rule:maxEpochs',
        label: `At most ${rule.value} epochs`,
        passed: run.epochs <= rule.value && outside === 0,
        detail:
          `trained ${run.epochs} epoch${run.epochs === 1 ? '' : 's'}, limit ${rule.value}` +
          (outside
            ? `; ${outside} optimizer update${outside === 1 ? ' was' : 's were'} made outside fit and trainOnBatch, ` +
              'whose epochs cannot be counted: train with model.fit'
            : ''),
      };
    }
    case 'maxLayerCount': {
      const found = countLayers(model, rule.layer);
      return {
        id: `rule:maxLayerCount:${rule.layer}`,
        label: `At most ${rule.value} ${rule.layer} layer${rule.value === 1 ? '' : 's'}`,
        passed: found.count <= rule.value,
        detail: `found ${found.count} ${rule.layer} layer${found.count === 1 ? '' : 's'}, at most ${rule.value} allowed`,
      };
    }
    case 'requiresAnyLayer': {
      const found = rule.layers
        .map((layer) => countLayers(model, layer))
        .filter((f) => f.count > 0)
        .map((f) => `${f.name} ×${f.count}`);
      return {
        id: 'rule:requiresAnyLayer',
        label: `Uses ${rule.label}`,
        passed: found.length > 0,
        detail: found.length
          ? `found ${found.join(', ')}`
          : `none of ${rule.layers.join(', ')} (the model has ${describeLayerKinds(model)})`,
      };
    }
    case 'maxTrainableParams': {
      const trainable = model.trainableWeights.reduce(
        (sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1),
        0,
      );
      return {
        id: 'rule:maxTrainableParams',
        label: `At most ${formatCount(rule.value)} trainable parameters`,
        passed: trainable <= rule.value,
        detail: `${formatCount(trainable)} trainable of ${formatCount(model.countParams())} parameters, budget ${formatCount(rule.value)}`,
      };
    }
    case 'stopsAtTarget':
      return checkStopsAtTarget(rule, run);
    case 'maxTrainValidationGap':
      return checkTrainValidationGap(rule.value, run);
  }
}

/** Reads a training figure from tfjs's epoch logs, which say `acc` where Keras says `accuracy`. */
function epochFigure(
  logs: Record<string, number>,
  metric: 'accuracy' | 'loss',
  prefix = '',
): number | undefined {
  return metric === 'accuracy' ? (logs[`${prefix}acc`] ?? logs[`${prefix}accuracy`]) : logs[`${prefix}loss`];
}

/**
 * A stopping callback is right when training ends in the very epoch the figure first reaches the
 * target: not before it (stopped too early), not after (kept training past it).
 */
function checkStopsAtTarget(rule: { metric: 'accuracy' | 'loss'; atLeast: number }, run: RunFacts): Check {
  const label = `Stops training in the epoch training ${rule.metric} reaches ${rule.atLeast}`;
  const history = run.history ?? [];
  const figures = history.map((h) => epochFigure(h.logs, rule.metric));
  const firstReached = figures.findIndex((v) => v !== undefined && v >= rule.atLeast);
  const id = 'rule:stopsAtTarget';
  if (!history.length) return { id, label, passed: false, detail: 'no epochs were recorded' };
  if (figures.some((v) => v === undefined)) {
    return {
      id,
      label,
      passed: false,
      detail: `training ${rule.metric} was not logged: compile with metrics: ['accuracy']`,
    };
  }
  const shown = figures.map((v) => v!.toFixed(4)).join(', ');
  if (firstReached === -1) {
    return {
      id,
      label,
      passed: false,
      detail: `never reached ${rule.atLeast} in ${history.length} epochs (${shown})`,
    };
  }
  if (firstReached === history.length - 1 && run.stoppedByCallback === false) {
    return {
      id,
      label,
      passed: false,
      detail:
        `reached ${figures[firstReached]!.toFixed(4)} in epoch ${firstReached + 1}, the last epoch fit was asked for: ` +
        'no callback stopped training — write one that sets this.model.stopTraining = true',
    };
  }
  const passed = firstReached === history.length - 1;
  return {
    id,
    label,
    passed,
    detail: passed
      ? `reached ${figures[firstReached]!.toFixed(4)} in epoch ${firstReached + 1} and stopped there`
      : `reached ${rule.atLeast} in epoch ${firstReached + 1} but trained ${history.length} epochs (${shown})`,
  };
}

function checkTrainValidationGap(maxGap: number, run: RunFacts): Check {
  const label = `Training and validation accuracy within ${maxGap}`;
  const last = run.history?.at(-1)?.logs ?? {};
  const train = epochFigure(last, 'accuracy');
  const validation = epochFigure(last, 'accuracy', 'val_');
  if (train === undefined || validation === undefined) {
    return {
      id: 'rule:maxTrainValidationGap',
      label,
      passed: false,
      detail: "needs training and validation accuracy: fit with validationData and metrics: ['accuracy']",
    };
  }
  const gap = train - validation;
  return {
    id: 'rule:maxTrainValidationGap',
    label,
    passed: gap <= maxGap,
    detail: `training ${train.toFixed(4)}, validation ${validation.toFixed(4)}: gap ${gap.toFixed(4)}`,
  };
}

/** Checks each target against the measured metrics; a metric that was not measured fails. */
export function checkTargets(targets: readonly Target[], metricsBySplit: MetricsBySplit): Check[] {
  return targets.map((target) => {
    const value = metricsBySplit[target.split]?.[target.metric];
    const { relation, threshold } = targetBound(target);
    const label = `${capitalise(target.split)} ${metricLabel(target.metric)} ${relation} ${formatThreshold(threshold)}`;
    const id = `target:${target.metric}:${target.split}`;
    if (value === undefined || !Number.isFinite(value)) {
      return {
        id,
        label,
        passed: false,
        detail: `${target.split} ${metricLabel(target.metric)} was not measured${notMeasuredHint(target)}`,
      };
    }
    const passed = target.atLeast !== undefined ? value >= target.atLeast : value <= threshold;
    return {
      id,
      label,
      passed,
      detail: `${target.split} ${metricLabel(target.metric)} ${formatMetric(value)}, target ${relation} ${formatThreshold(threshold)}`,
    };
  });
}

/**
 * How far a measured value got from chance to its target, 0..1 (docs/grading.md). With `chance` (what
 * the metric scores by guessing, grade.ts `chanceLevels`) below the threshold of an "at least"
 * target: (value − chance) / (threshold − chance); above the threshold of an "at most" target (a
 * loss): (chance − value) / (chance − threshold). Without a usable chance level: value/threshold for
 * "at least", threshold/value for "at most". Capped at 1 (a target beaten by far earns no more than
 * one met); a missing or non-finite value attains 0.
 */
export function targetAttainment(target: Target, value: number | undefined, chance?: number): number {
  if (value === undefined || !Number.isFinite(value)) return 0;
  const { threshold } = targetBound(target);
  const atLeast = target.atLeast !== undefined;
  const usableChance =
    chance !== undefined && Number.isFinite(chance) && (atLeast ? chance < threshold : chance > threshold);
  let raw: number;
  if (usableChance) {
    raw = atLeast ? (value - chance) / (threshold - chance) : (chance - value) / (chance - threshold);
  } else if (atLeast) {
    raw = threshold <= 0 ? (value >= threshold ? 1 : 0) : value / threshold;
  } else {
    raw = value <= 0 ? 1 : threshold / value;
  }
  return Math.min(1, Math.max(0, raw));
}

function targetBound(target: Target): { relation: string; threshold: number } {
  return target.atLeast !== undefined
    ? { relation: 'at least', threshold: target.atLeast }
    : { relation: 'at most', threshold: target.atMost ?? 0 };
}

function notMeasuredHint(target: Target): string {
  if (target.split === 'validation') return ' (pass validationData to model.fit)';
  if (target.metric === 'rocAuc') {
    return ' (ROC-AUC needs a probability of class 1 for every image: a model with one sigmoid unit or two softmax units, and both classes in the test data)';
  }
  return '';
}

const metricLabels: Record<MetricName, string> = {
  accuracy: 'accuracy',
  macroF1: 'macro F1',
  rocAuc: 'ROC-AUC',
  loss: 'loss',
  topKAccuracy: 'top-k accuracy',
  recall: 'recall of class 1 at the threshold',
  precision: 'precision of class 1 at the threshold',
};

export function metricLabel(metric: MetricName): string {
  return metricLabels[metric];
}

/** Walks the model's layers, descending into nested models and wrappers, and counts a class name. */
function countLayers(model: tf.LayersModel, className: string): { count: number; name: string } {
  const wanted = className.toLowerCase();
  let count = 0;
  let name = className;
  for (const layer of allLayers(model)) {
    const layerClass = layer.getClassName();
    if (layerClass.toLowerCase() === wanted) {
      count++;
      name = layerClass;
    }
  }
  return { count, name };
}

/** Every layer of the model, depth first; a nested model is listed and so are its layers. */
export function allLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const found: tf.layers.Layer[] = [];
  const visit = (layer: tf.layers.Layer) => {
    found.push(layer);
    // A nested model (Sequential or functional) has its own `layers`; a wrapper such as
    // TimeDistributed or Bidirectional holds one inner `layer`.
    const nested = (layer as unknown as { layers?: unknown }).layers;
    if (Array.isArray(nested)) for (const inner of nested) visit(inner as tf.layers.Layer);
    const wrapped = (layer as unknown as { layer?: unknown }).layer;
    if (isLayer(wrapped)) visit(wrapped);
  };
  for (const layer of model.layers) visit(layer);
  return found;
}

function isLayer(value: unknown): value is tf.layers.Layer {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { getClassName?: unknown }).getClassName === 'function'
  );
}

function describeLayerKinds(model: tf.LayersModel): string {
  const kinds = [...new Set(allLayers(model).map((l) => l.getClassName()))];
  return kinds.length ? kinds.join(', ') : 'no layers';
}

/** `[null,28,28,1]`: the way Keras prints shapes, batch dimension as null. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(',')}]`;
}

/** 1234567 → "1,234,567", independent of the machine's locale. */
export function formatCount(value: number): string {
  const sign = value < 0 ? '-' : '';
  return sign + String(Math.abs(Math.round(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Measured metrics print with four decimals. */
export function formatMetric(value: number): string {
  return value.toFixed(4);
}

/** Thresholds print as the exercise wrote them (0.9, not 0.9000). */
function formatThreshold(value: number): string {
  return String(value);
}

function sameShape(actual: readonly (number | null)[], expected: readonly number[]): boolean {
  return actual.length === expected.length && actual.every((d, i) => d === expected[i]);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
