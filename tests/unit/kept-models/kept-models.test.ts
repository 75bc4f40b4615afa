/**
 * Trained models kept in the browser: the key page and worker share, the artifacts read back from
 * tfjs (equal to what a submission carries), the downloadable tfjs files, a save that fails without
 * failing the run, and stored results that keep what an export needs (old records still load).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { keptModelDecision } from '../../../src/app/storage/backup';
import {
  modelDownloads,
  modelFileNames,
  tfjsModelFiles,
  tfjsModelJson,
  weightsFileName,
} from '../../../src/app/storage/model-files';
import { resultRunOf, submissionSourceOf, validResult } from '../../../src/app/storage/results';
import type { Report } from '../../../src/core/exercises/schema';
import { hashModelWeights } from '../../../src/core/grading/grade';
import { artifactsToJson, serializeModel } from '../../../src/core/models/artifacts';
import { exerciseOfKeptModel, keptModelPath, keptModelUrl } from '../../../src/storage/kept-models';
import { describeKeepError, keepTrainedModel } from '../../../src/worker/kept-model';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function smallModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [2, 2, 1] }),
      tf.layers.dense({ units: 3, activation: 'relu' }),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
}

/** The artifacts tfjs's handlers (IndexedDB included) hand to `load`, captured in memory. */
async function savedArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return captured!;
}

const report: Report = {
  format: 'cv-lab-report',
  version: 1,
  exerciseId: 'fashion-mnist-dense',
  passed: true,
  score: 91,
  metrics: {
    accuracy: 0.91,
    macroF1: 0.9,
    perClass: [],
    confusionMatrix: [],
    classNames: [],
    testCount: 10,
  },
  checks: [],
  timings: { trainSeconds: 12.5, gradeSeconds: 1.5 },
  backend: 'wasm',
  epochs: 2,
  params: 15,
  datasetHash: 'd'.repeat(64),
  modelHash: 'a'.repeat(64),
  gradedAt: '2026-11-25T10:00:00.000Z',
};

describe('the kept model key', () => {
  test('page and worker build the same tfjs URL and path per exercise', () => {
    expect(keptModelUrl('fashion-mnist-cnn')).toBe('indexeddb://cv-lab/fashion-mnist-cnn');
    expect(keptModelPath('fashion-mnist-cnn')).toBe('cv-lab/fashion-mnist-cnn');
    expect(() => keptModelUrl('')).toThrow(/exercise id/);
  });

  test('recognises a kept model by its path or URL, and nothing else', () => {
    expect(exerciseOfKeptModel('cv-lab/fashion-mnist-cnn')).toBe('fashion-mnist-cnn');
    expect(exerciseOfKeptModel('indexeddb://cv-lab/cats-vs-dogs')).toBe('cats-vs-dogs');
    expect(exerciseOfKeptModel('my-own-model')).toBeNull();
    expect(exerciseOfKeptModel('cv-lab/')).toBeNull();
    expect(exerciseOfKeptModel(42)).toBeNull();
  });

  test('a kept model follows its result in a backup import', () => {
    expect(keptModelDecision('new')).toBe('updated');
    expect(keptModelDecision('updated')).toBe('updated');
    expect(keptModelDecision('kept')).toBe('kept');
    expect(keptModelDecision(undefined)).toBeUndefined();
  });
});

describe('keeping and reading a trained model', () => {
  test('the artifacts read back equal what a submission carries, hashed like the report', async () => {
    const model = smallModel();
    try {
      const fromStore = await artifactsToJson(tf, await savedArtifacts(model), 'the kept model');
      expect(fromStore).toEqual(await serializeModel(tf, model));
      expect(fromStore.weightsSha256).toBe(await hashModelWeights(model));
      expect(fromStore.byteLength).toBe((4 * 3 + 3 + 3 * 2 + 2) * 4);
    } finally {
      model.dispose();
    }
  });

  test('refuses weights a submission cannot carry, saying which', async () => {
    const model = smallModel();
    try {
      const artifacts = await savedArtifacts(model);
      const halved = {
        ...artifacts,
        weightSpecs: artifacts.weightSpecs!.map((s) => ({ ...s, dtype: 'bool' as const })),
      };
      await expect(artifactsToJson(tf, halved, 'the kept model')).rejects.toThrow(
        /is bool; only float32 and int32 travel/,
      );
      const short = { ...artifacts, weightData: new ArrayBuffer(8) };
      await expect(artifactsToJson(tf, short, 'the kept model')).rejects.toThrow(
        /the kept model is damaged: byteLength: the weight specs describe 92 bytes/,
      );
    } finally {
      model.dispose();
    }
  });

  test('a save that fails does not throw: the run goes on with the reason', async () => {
    const model = smallModel();
    try {
      // Node has no IndexedDB: tfjs finds no handler for the URL, as a browser without storage would fail.
      const result = await keepTrainedModel(tf, model, 'fashion-mnist-dense');
      expect(result.kept).toBe(false);
      expect(result.kept === false && result.reason).toMatch(/indexeddb:\/\/cv-lab\/fashion-mnist-dense/);
    } finally {
      model.dispose();
    }
  });

  test('names a full quota and a browser that refuses storage in plain words', () => {
    expect(describeKeepError(new DOMException('Quota exceeded.', 'QuotaExceededError'))).toBe(
      "this site's browser storage is full (Quota exceeded)",
    );
    expect(describeKeepError(new DOMException('no db', 'InvalidStateError'))).toMatch(/private browsing/);
    expect(describeKeepError(new Error('disk gone.'))).toBe('disk gone');
  });
});

describe('the downloaded model files', () => {
  test('are named after the exercise, tidied, or plain without one', () => {
    expect(modelFileNames('fashion-mnist-cnn')).toEqual({
      modelJson: 'fashion-mnist-cnn.model.json',
      weights: 'fashion-mnist-cnn.weights.bin',
    });
    expect(modelFileNames('../a b/c')).toEqual({
      modelJson: 'a-b-c.model.json',
      weights: 'a-b-c.weights.bin',
    });
    expect(modelFileNames()).toEqual({ modelJson: 'model.json', weights: 'weights.bin' });
    expect(modelFileNames('///')).toEqual({ modelJson: 'model.json', weights: 'weights.bin' });
  });

  test("the exercise's model.json names its weights file, and tfjs loads the pair from those names", async () => {
    const model = smallModel();
    const input = tf.tensor4d([0.1, 0.9, 0.4, 0.2, 0.7, 0.3, 0.5, 0.8], [2, 2, 2, 1]);
    try {
      const artifacts = await serializeModel(tf, model);
      const files = await modelDownloads(artifacts, 'fashion-mnist-cnn');
      expect(files.map((f) => f.name)).toEqual([
        'fashion-mnist-cnn.model.json',
        'fashion-mnist-cnn.weights.bin',
      ]);
      const byName = new Map(files.map((f) => [f.name, f.blob]));
      // Read back as a loader does: the model.json, then each weights path it names, beside it.
      const parsed = JSON.parse(await byName.get('fashion-mnist-cnn.model.json')!.text());
      const paths: string[] = parsed.weightsManifest.flatMap((group: { paths: string[] }) => group.paths);
      expect(paths).toEqual(['fashion-mnist-cnn.weights.bin']);
      const weightData = await byName.get(paths[0])!.arrayBuffer();
      const loaded = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: parsed.modelTopology,
          weightSpecs: parsed.weightsManifest[0].weights,
          weightData,
        }),
      );
      const expected = model.predict(input) as tf.Tensor;
      const actual = loaded.predict(input) as tf.Tensor;
      expect(Array.from(await actual.data())).toEqual(Array.from(await expected.data()));
      tf.dispose([expected, actual]);
      loaded.dispose();
    } finally {
      input.dispose();
      model.dispose();
    }
  });

  test('model.json names weights.bin, and tfjs loads the pair into the same model', async () => {
    const model = smallModel();
    const input = tf.tensor4d([0.1, 0.9, 0.4, 0.2, 0.7, 0.3, 0.5, 0.8], [2, 2, 2, 1]);
    try {
      const artifacts = await serializeModel(tf, model);
      const { modelJson, weights } = await tfjsModelFiles(artifacts);
      expect(modelJson).toBe(tfjsModelJson(artifacts));
      const parsed = JSON.parse(modelJson);
      expect(parsed.format).toBe('layers-model');
      expect(parsed.weightsManifest).toEqual([{ paths: [weightsFileName], weights: artifacts.weightSpecs }]);
      expect(weights.byteLength).toBe(artifacts.byteLength);

      const loaded = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: parsed.modelTopology,
          weightSpecs: parsed.weightsManifest[0].weights,
          weightData: weights.slice().buffer,
        }),
      );
      const expected = model.predict(input) as tf.Tensor;
      const actual = loaded.predict(input) as tf.Tensor;
      expect(Array.from(await actual.data())).toEqual(Array.from(await expected.data()));
      tf.dispose([expected, actual]);
      loaded.dispose();
    } finally {
      input.dispose();
      model.dispose();
    }
  });

  test('refuses weights that do not match their hash', async () => {
    const model = smallModel();
    try {
      const artifacts = await serializeModel(tf, model);
      await expect(tfjsModelFiles({ ...artifacts, weightsSha256: 'b'.repeat(64) })).rejects.toThrow(
        /weights are damaged/,
      );
    } finally {
      model.dispose();
    }
  });
});

describe('stored results', () => {
  const run = resultRunOf(
    'export default 1;',
    {
      history: [{ epoch: 0, logs: { loss: 0.5, acc: 0.8, val_loss: Number.NaN } }],
      backend: 'wasm',
      modelKept: true,
    },
    report,
    'Test Browser/1.0',
  );

  test('a run adds its code, finite history, environment and whether its model was kept', () => {
    expect(run).toEqual({
      code: 'export default 1;',
      history: [{ epoch: 0, logs: { loss: 0.5, acc: 0.8 } }],
      environment: {
        backend: 'wasm',
        userAgent: 'Test Browser/1.0',
        cvLabVersion: expect.any(String),
        timings: { trainSeconds: 12.5, gradeSeconds: 1.5 },
      },
      modelKept: true,
    });
  });

  test('a full record reads back whole and is a submission source', () => {
    const record = { exerciseId: 'fashion-mnist-dense', report, savedAt: '2026-11-25T10:00:01.000Z', ...run };
    expect(validResult(record)).toEqual(record);
    expect(submissionSourceOf(validResult(record)!)).toEqual({
      code: run.code,
      report,
      history: run.history,
      environment: run.environment,
    });
  });

  test('an older record without the export fields still loads, without an export', () => {
    const old = { exerciseId: 'fashion-mnist-dense', report, savedAt: '2026-01-01T00:00:00.000Z' };
    expect(validResult(old)).toEqual(old);
    expect(submissionSourceOf(validResult(old)!)).toBeNull();
  });

  test('a damaged export field is dropped, the report kept; a damaged report drops the record', () => {
    const damaged = {
      exerciseId: 'fashion-mnist-dense',
      report,
      savedAt: '2026-11-25T10:00:01.000Z',
      ...run,
      history: 'not a history',
      modelKept: 'yes',
    };
    const read = validResult(damaged)!;
    expect(read.report).toEqual(report);
    expect(read.history).toBeUndefined();
    expect(read.modelKept).toBeUndefined();
    expect(read.code).toBe(run.code);
    expect(submissionSourceOf(read)).toBeNull();
    expect(validResult({ ...damaged, report: { ...report, score: 'high' } })).toBeUndefined();
    expect(validResult(undefined)).toBeUndefined();
  });
});
