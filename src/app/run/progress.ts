/**
 * The progress line beside Run: where training is (epoch, batch), how fast it goes (images per
 * second, measured from the batch events as they arrive) and how long is left. Pure functions, so
 * the estimate can be tested without a page.
 *
 * A batch event says how many epochs the run trains when its `fit` said so (`epochs`): then "time
 * left" covers the whole run; otherwise it covers the current epoch.
 */
import type { RunEvent, RunPhase } from '../../core/sandbox/events';

/** A reading of the training counters, taken once per burst of events. */
export interface SpeedSample {
  /** Milliseconds (the page's clock). */
  at: number;
  /** Images trained on so far (the batch logs' `size`). */
  images: number;
  /** Batches trained so far. */
  steps: number;
}

/** What the batch events said so far. Epoch and batch are 0-based, as the events send them. */
export interface TrainingMeter {
  epoch: number;
  batch: number;
  /** Batches in one epoch (0 when tfjs did not say). */
  batches: number;
  /** Epochs the run trains in all, as its `fit` asked (a callback may stop it sooner); absent if unknown. */
  epochs?: number;
  images: number;
  steps: number;
  /** Recent samples, oldest first, spanning at most `speedWindowMs` (and at least two). */
  samples: SpeedSample[];
}

/** Speed is measured over the last 10 seconds, so it follows a change (validation, a second fit). */
export const speedWindowMs = 10_000;

type BatchEvent = Extract<RunEvent, { type: 'batch' }>;

/** Counts a burst of batch events (all seen at `now`) into the meter. */
export function meterBatches(meter: TrainingMeter | null, events: BatchEvent[], now: number): TrainingMeter {
  let images = meter?.images ?? 0;
  let steps = meter?.steps ?? 0;
  for (const event of events) {
    const size = event.logs.size;
    images += typeof size === 'number' && Number.isFinite(size) && size > 0 ? size : 0;
    steps += 1;
  }
  const last = events[events.length - 1];
  const samples = [...(meter?.samples ?? []), { at: now, images, steps }];
  // Drop samples older than the window, keeping at least two to measure between.
  while (samples.length > 2 && now - samples[1].at >= speedWindowMs) samples.shift();
  return {
    epoch: last ? last.epoch : (meter?.epoch ?? 0),
    batch: last ? last.batch : (meter?.batch ?? 0),
    batches: last ? Math.max(0, last.batches) : (meter?.batches ?? 0),
    ...((last?.epochs ?? meter?.epochs) !== undefined ? { epochs: last?.epochs ?? meter?.epochs } : {}),
    images,
    steps,
    samples,
  };
}

export interface Speed {
  imagesPerSecond: number;
  stepsPerSecond: number;
}

/** Images and batches per second between the oldest and newest sample; null until measurable. */
export function measuredSpeed(samples: readonly SpeedSample[]): Speed | null {
  if (samples.length < 2) return null;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const seconds = (last.at - first.at) / 1000;
  const steps = last.steps - first.steps;
  if (!(seconds > 0) || steps <= 0) return null;
  return { imagesPerSecond: (last.images - first.images) / seconds, stepsPerSecond: steps / seconds };
}

/**
 * Seconds left at the measured speed: the rest of this epoch, plus `epochsLeft` whole epochs when
 * the epoch count is known. Null when the batches per epoch or the speed are unknown.
 */
export function secondsLeft(meter: TrainingMeter, speed: Speed | null, epochsLeft = 0): number | null {
  if (!speed || meter.batches <= 0) return null;
  const inEpoch = Math.max(0, meter.batches - (meter.batch + 1));
  return (inEpoch + Math.max(0, epochsLeft) * meter.batches) / speed.stepsPerSecond;
}

/** "45 s", "3 min 20 s", "1 h 5 min": rounded to what a person reads at a glance. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const rest = s % 60;
    return rest ? `${Math.floor(s / 60)} min ${rest} s` : `${s / 60} min`;
  }
  const minutes = Math.round((s % 3600) / 60);
  return minutes ? `${Math.floor(s / 3600)} h ${minutes} min` : `${Math.floor(s / 3600)} h`;
}

const phaseWords: Record<RunPhase, string> = {
  backend: 'Starting',
  compile: 'Compiling',
  data: 'Loading data',
  train: 'Training',
  grade: 'Grading',
  done: 'Done',
};

/**
 * The parts of the progress line. `totalEpochs` only when the run said how many epochs it trains
 * (never guessed): then "epoch 2 of 5" and time left for the whole run, else "epoch 2" and time
 * left in this epoch.
 */
export function progressParts(
  phase: RunPhase | null,
  meter: TrainingMeter | null,
  totalEpochs?: number,
): string[] {
  const parts: string[] = [];
  if (phase) parts.push(phaseWords[phase]);
  if (!meter || (phase !== null && phase !== 'train')) return parts;
  const epoch = meter.epoch + 1;
  parts.push(totalEpochs ? `epoch ${epoch} of ${totalEpochs}` : `epoch ${epoch}`);
  parts.push(meter.batches > 0 ? `batch ${meter.batch + 1} of ${meter.batches}` : `batch ${meter.batch + 1}`);
  const speed = measuredSpeed(meter.samples);
  if (speed && speed.imagesPerSecond > 0) parts.push(`${Math.round(speed.imagesPerSecond)} images/s`);
  const left = secondsLeft(meter, speed, totalEpochs ? totalEpochs - epoch : 0);
  if (left !== null) {
    parts.push(`about ${formatDuration(left)} left${totalEpochs ? '' : ' in this epoch'}`);
  }
  return parts;
}
