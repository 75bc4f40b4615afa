/**
 * Targets as a learner reads them before a run, short enough for a catalog card:
 * `test accuracy ≥ 0.85`, `test ROC-AUC ≥ 0.9`, `every hidden case`, `≥ 80 % of the answers`.
 * (A report's checks have their own, longer labels: `checkTargets` in rules.)
 */
import type { Exercise, Target } from '../exercises/schema';
import { metricLabel } from './rules';

/** Shorter than the report's "recall of class 1 at the threshold"; every other metric as the report names it. */
const shortMetricLabels: Partial<Record<Target['metric'], string>> = {
  recall: 'recall at your threshold',
  precision: 'precision at your threshold',
};

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10} %`;
}

export function describeTarget(target: Target, kind: Exercise['kind'] = 'train'): string {
  // Function exercises and quizzes are graded by the share of hidden cases (answers) right.
  if (kind !== 'train' && target.metric === 'accuracy' && target.atLeast !== undefined) {
    const what = kind === 'quiz' ? 'the answers' : 'the hidden cases';
    return target.atLeast >= 1 ? `every one of ${what}` : `≥ ${percent(target.atLeast)} of ${what}`;
  }
  const bound = target.atLeast !== undefined ? `≥ ${target.atLeast}` : `≤ ${target.atMost}`;
  return `${target.split} ${shortMetricLabels[target.metric] ?? metricLabel(target.metric)} ${bound}`;
}

/** Every target of an exercise, joined: what "To pass" says. Empty when there are none. */
export function describeTargets(targets: readonly Target[], kind: Exercise['kind'] = 'train'): string {
  return targets.map((target) => describeTarget(target, kind)).join(', ');
}
