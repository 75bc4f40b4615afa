/**
 * The model summary reaches the log as training starts (issue 13, item 1): the monitor logs it when a
 * `fit` begins, again only when it changed (layers frozen or unfrozen between two fits), and the
 * run's end does not repeat the one already logged.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@cv-lab/runtime/node';
import type { RunEvent } from '../../../src/core/sandbox/events';
import {
  defineMonitor,
  modelSummaryText,
  newMonitorContext,
  returnedModelSummary,
  setMonitorContext,
} from '../../../src/core/sandbox/monitor';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const net = () =>
  tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' }),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });

const logs = (events: RunEvent[]) => events.flatMap((event) => (event.type === 'log' ? [event.message] : []));

describe('the model summary at the start of training', () => {
  it('is logged when a fit begins, before any batch, and once per unchanged model', async () => {
    const events: RunEvent[] = [];
    const context = newMonitorContext((event) => events.push(event), 600, Date.now());
    setMonitorContext(context);
    try {
      const model = net();
      const Monitor = defineMonitor(tf);
      const fit = async () => {
        const monitor = new Monitor();
        monitor.setModel(model);
        monitor.setParams({ samples: 64, batchSize: 32 });
        await monitor.onTrainBegin();
        await monitor.onBatchEnd(0, { loss: 0.5 });
        await monitor.onTrainEnd();
      };
      await fit();
      const summary = modelSummaryText(model);
      expect(summary).toMatch(/Total params: 23\b/);
      expect(logs(events)).toEqual([summary]);
      expect(events.findIndex((e) => e.type === 'log')).toBeLessThan(
        events.findIndex((e) => e.type === 'batch'),
      );
      expect(context.lastSummary).toEqual({ model, text: summary });

      await fit(); // the same model again: nothing new to show
      expect(logs(events)).toEqual([summary]);

      model.layers[0].trainable = false; // fine-tuning changes what trains: shown again
      await fit();
      expect(logs(events)).toHaveLength(2);
      expect(logs(events)[1]).toMatch(/Trainable params: 8\b/);
    } finally {
      setMonitorContext(null);
    }
  });

  it('is not repeated for the returned model unless it is another one or changed since', async () => {
    const context = newMonitorContext(() => {}, 600, Date.now());
    const fitted = net();
    const text = modelSummaryText(fitted);
    context.lastSummary = { model: fitted, text };
    expect(returnedModelSummary(fitted, context)).toEqual({ text, logged: true });
    const other = net();
    expect(returnedModelSummary(other, context)).toEqual({ text: modelSummaryText(other), logged: false });
    fitted.layers[1].trainable = false; // frozen after the last fit: the end shows it
    expect(returnedModelSummary(fitted, context)).toMatchObject({ logged: false });
    expect(returnedModelSummary(fitted, context).text).toMatch(/Trainable params: 15\b/);
  });

  it('is not logged by a monitor that is not doing the work of this fit', async () => {
    const events: RunEvent[] = [];
    const context = newMonitorContext((event) => events.push(event), 600, Date.now());
    setMonitorContext(context);
    try {
      const Monitor = defineMonitor(tf);
      const first = new Monitor();
      const second = new Monitor();
      const model = net();
      for (const monitor of [first, second]) {
        monitor.setModel(model);
        monitor.setParams({ samples: 32, batchSize: 32 });
        await monitor.onTrainBegin();
      }
      expect(logs(events)).toHaveLength(1);
    } finally {
      setMonitorContext(null);
    }
  });
});
