/**
 * The monitor's batch-norm hint: validation far below training while the moving averages are
 * young gets a warning with the figures; settled averages, a low momentum, frozen batch norm, no
 * batch norm or a small gap get none. Driven through the callback as `fit` drives it.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@cv-lab/runtime/node';
import type { RunEvent } from '../../../src/core/sandbox/events';
import { defineMonitor, newMonitorContext, setMonitorContext } from '../../../src/core/sandbox/monitor';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const model = (batchNorm: 'none' | number, frozen = false) => {
  const layers: tf.layers.Layer[] = [tf.layers.dense({ inputShape: [4], units: 3 })];
  if (batchNorm !== 'none') {
    const bn = tf.layers.batchNormalization({ momentum: batchNorm });
    bn.trainable = !frozen;
    layers.push(bn);
  }
  layers.push(tf.layers.dense({ units: 2, activation: 'softmax' }));
  return tf.sequential({ layers });
};

/** One epoch of `steps` batches ending with the given figures; returns the warnings emitted. */
async function epoch(net: tf.LayersModel, steps: number, logs: Record<string, number>) {
  const events: RunEvent[] = [];
  const context = newMonitorContext((event) => events.push(event), 600, Date.now());
  setMonitorContext(context);
  const Monitor = defineMonitor(tf);
  const monitor = new Monitor();
  monitor.setModel(net);
  monitor.setParams({ samples: steps * 32, batchSize: 32 });
  await monitor.onTrainBegin();
  for (let batch = 0; batch < steps; batch++) await monitor.onBatchEnd(batch, { loss: 0.1 });
  await monitor.onEpochEnd(0, logs);
  await monitor.onTrainEnd();
  setMonitorContext(null);
  return events.filter((event) => event.type === 'warning');
}

describe('the batch-norm hint', () => {
  const lagging = { loss: 0.05, acc: 0.99, val_loss: 3.2, val_acc: 0.26 };

  it('names the gap, the steps, the momentum and what remains of the starting values', async () => {
    const warnings = await epoch(model(0.99), 120, lagging);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'batch-norm' });
    expect((warnings[0] as { message: string }).message).toBe(
      'Validation accuracy 0.26 is far below training accuracy 0.99, and the batch normalization layers have ' +
        'trained only 120 steps at momentum 0.99: their moving averages, which the model predicts with, still ' +
        'hold 30 % of their starting values. Give them more steps (smaller batches, more epochs) or a lower ' +
        'momentum: tf.layers.batchNormalization({ momentum: 0.9 }).',
    );
  });

  it('reads the Keras spelling of the figures too', async () => {
    const warnings = await epoch(model(0.99), 120, { accuracy: 0.95, val_accuracy: 0.3 });
    expect(warnings).toHaveLength(1);
  });

  it('stays quiet once the averages have settled, at a low momentum, or when batch norm is frozen or absent', async () => {
    expect(await epoch(model(0.99), 600, lagging)).toEqual([]); // 0.99^600 < 1 %
    expect(await epoch(model(0.9), 120, lagging)).toEqual([]);
    expect(await epoch(model(0.99, true), 120, lagging)).toEqual([]);
    expect(await epoch(model('none'), 120, lagging)).toEqual([]);
  });

  it('stays quiet for an ordinary gap, or without validation figures', async () => {
    expect(await epoch(model(0.99), 120, { acc: 0.95, val_acc: 0.8 })).toEqual([]);
    expect(await epoch(model(0.99), 120, { acc: 0.95 })).toEqual([]);
  });
});
