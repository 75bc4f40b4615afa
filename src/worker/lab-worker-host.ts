/**
 * The lab worker's logic, as a class the page reaches through comlink and tests can drive
 * directly: it prepares tfjs in the worker (backends, WASM binaries, training kernels) and hands
 * each run to the core's `runExercise`, streaming its events back to the caller.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { createAugmentApi, type AugmentApi } from '../core/augment';
import { loadDataset, loadSampleSheet, readManifest, type LoadedSampleSheet } from '../core/datasets/load';
import { imageBytes } from '../core/datasets/manifest';
import { loadOnce } from '../core/datasets/load-once';
import { labDatasetReader } from '../storage/dataset-reader';
import type { LoadedDataset } from '../core/datasets/types';
import { privateTestDataset } from '../core/exercises/set';
import { needsTestData, regradeSubmission } from '../core/grading/regrade';
import { checkReproduction, reproductionBackend, type Reproduction } from '../core/grading/reproduce';
import { reproductionOf, reproductionRun } from '../core/sandbox/reproduction-run';
import type { ModelArtifactsJson } from '../core/models/artifacts';
import type { HashTrustStore } from '../core/models/registry';
import { modelTrustStore } from '../storage/model-cache';
import { labModelReader } from '../storage/model-reader';
import {
  chooseBackend,
  isBackendLossError,
  probeBackend,
  type BackendName as Backend,
  deviceKey,
  isSoftwareRenderer,
  measureBackends,
  timeTrainingSteps,
  type DeviceFacts,
  type SpeedMeasurement,
} from '@cv-lab/runtime';
import { registerWasmTrainingKernels } from '@cv-lab/runtime/kernels';
import type { RunEvent } from '../core/sandbox/events';
import { LearnerError } from '../core/sandbox/compile';
import { superviseRun, type HostEnvironment } from '../core/sandbox/supervise';
import { describeSandboxStop, regradeTimeLimit } from '../core/sandbox/watchdog';
import { errorMessage } from '../core/shared/errors';
import { messagePortChannel } from './sandbox-port';
import type { BackendName, BackendPreference, RunRequest } from '../core/sandbox/run-types';
import { loadGradingKey } from './grading-keys';
import type {
  AugmentPreviewAnswer,
  AugmentPreviewRequest,
  GalleryAnswer,
  GalleryRequest,
  LabRunOutcome,
  LabWorkerApi,
  PageRunRequest,
  PreviewStep,
  RegradeAnswer,
  RegradeRequest,
} from './contract';
import { galleryFromSheet, galleryOf, sheetAnswers, sheetImage } from './gallery';
import { keepTrainedModel, readKeptModel, type KeepResult } from './kept-model';

/** Browser backends in order of preference (docs/architecture.md, "Formats": WebGPU, WebGL, WASM, CPU). */
export const browserBackends: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

let tfjsPrepared = false;

/** Once per worker: point tfjs at the bundled WASM binaries and add the training kernels. */
export function prepareTfjs(): void {
  if (tfjsPrepared) return;
  tfjsPrepared = true;
  // tfjs's own start of its threaded WASM build breaks once bundled ("e is not defined" in every
  // thread): it stays off here. Learner code trains in the page's sandbox, on every core through
  // data-parallel workers (packages/runtime/src/data-parallel); this worker's WASM runs the speed probe.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlainUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
  });
  registerWasmTrainingKernels();
}

/** Where the page serves prepared datasets: `/datasets/<id>/` on the app's own origin. */
export function datasetBaseUrl(datasetId: string, origin: string): string {
  return new URL(`/datasets/${encodeURIComponent(datasetId)}/`, origin).href;
}

export class LabWorkerHost implements LabWorkerApi {
  private augmentApi: AugmentApi | null = null;

  /** Trust-on-first-use hashes of published models, kept with their cached files (models cache). */
  private readonly modelTrust: HashTrustStore;

  constructor(private readonly origin: string = self.location.origin) {
    this.modelTrust = modelTrustStore(origin);
  }

  /**
   * Supervises one run whose learner code runs in the sandbox at the other end of `sandbox` (the
   * page opened it: app/run/sandbox-frame.ts). This worker serves the training data, keeps the
   * test split, grades and keeps the model; the page closes the sandbox when this resolves.
   */
  async run(
    { exam, ...asked }: PageRunRequest,
    sandbox: MessagePort,
    onEvent: (event: RunEvent) => void,
  ): Promise<LabRunOutcome> {
    // Events travel on the callback's own channel, the outcome on the worker's: to keep them in
    // order, the outcome waits until the page has taken the last event (a port delivers in order).
    // A page that went away must not take the run down with it: events are best effort.
    let lastDelivery: Promise<unknown> = Promise.resolve();
    const send = (event: RunEvent): void => {
      try {
        lastDelivery = Promise.resolve(onEvent(event)).catch(() => undefined);
      } catch {
        // ignored: see above
      }
    };
    const delivered = async <T>(value: T): Promise<T> => {
      await lastDelivery;
      return value;
    };
    try {
      prepareTfjs();
      const order = hostOrder(asked);
      const choice = await chooseBackend(tf, asked.backend, order);
      // The key is this worker's to load: whatever the page sent as one is ignored.
      const request: RunRequest = {
        ...asked,
        gradingKey: await loadGradingKey(tf, asked.bundle, { exam }),
      };
      let keep: KeepResult | undefined;
      const { model, stop, ...outcome } = await superviseRun(request, () => messagePortChannel(sandbox), {
        ...this.hostEnvironment(send),
        gradeWith: (grade) => gradeOnWorkingBackend(grade, choice.backend, order, send),
        onTrainedModel: async (trained) => {
          keep = await keepTrainedModel(tf, trained, request.bundle.exercise.id);
        },
      }).outcome;
      void stop;
      return await delivered<LabRunOutcome>({
        ...outcome,
        ...(model ? { model } : {}),
        ...(keep ? { modelKept: keep.kept } : {}),
        ...(keep && !keep.kept ? { modelKeepError: keep.reason } : {}),
      });
    } catch (thrown) {
      // superviseRun reports learner errors in its outcome; reaching here is a bug of ours.
      const error = { kind: 'internal' as const, message: `The lab failed: ${errorMessage(thrown)}` };
      send({ type: 'error', error });
      return delivered<LabRunOutcome>({ ok: false, error, history: [], backend: 'none' });
    }
  }

  /** The host's side of a run in this worker: data and models from this origin, events to the page. */
  private hostEnvironment(onEvent: (event: RunEvent) => void): HostEnvironment {
    return {
      tf,
      // Imported datasets from IndexedDB, the rest from the server or, offline, the cache.
      datasetReader: (id) => labDatasetReader(id, datasetBaseUrl(id, this.origin)),
      // Pretrained models: bundled ones from /models/, published ones from their URL; offline,
      // the models cache (filled by the service worker, by this reader, or by the page).
      modelReader: (id) => labModelReader(id, this.origin, { trust: this.modelTrust }),
      onEvent,
      candidateBackends: browserBackends,
    };
  }

  /**
   * Re-grades a submission. A training submission's model is rebuilt and graded here (no learner
   * code runs); a function exercise's or quiz's code runs again in the sandbox at the end of
   * `sandbox`, which the page opens for it.
   */
  async regrade(
    { submission, bundle, privateTest, privateCases, backend, reproduce }: RegradeRequest,
    sandbox?: MessagePort,
  ): Promise<RegradeAnswer> {
    prepareTfjs();
    const choice = await chooseBackend(tf, backend, browserBackends);
    if (!needsTestData(bundle)) {
      if (!sandbox) throw new Error(`re-grading ${bundle.exercise.id} runs its code: it needs a sandbox`);
      const gradingKey = await loadGradingKey(tf, bundle, privateCases ? { privateCases } : {});
      const gradeCode = async (code: string) => {
        const timeLimitSeconds = regradeTimeLimit(bundle.exercise.limits.timeSeconds);
        const run = { bundle, gradingKey, code, backend, timeLimitSeconds };
        const outcome = await superviseRun(run, () => messagePortChannel(sandbox), {
          ...this.hostEnvironment(() => {}),
        }).outcome;
        if (outcome.stop) throw new Error(describeSandboxStop(outcome.stop, bundle.exercise.id));
        if (!outcome.report) throw new LearnerError(outcome.error!);
        return outcome.report;
      };
      return { ...(await regradeSubmission(tf, submission, { bundle, gradeCode })), backend: choice.backend };
    }
    let testDataset: Promise<LoadedDataset>;
    if (privateTest) {
      testDataset = loadOnce(`private:${privateTest.key}`, () => privateTestDataset(privateTest.data));
    } else {
      const id = bundle.exercise.dataset;
      if (!id) throw new Error(`exercise ${bundle.exercise.id} names no dataset to grade on`);
      // The same key as a run's test split: one decoded copy per worker.
      testDataset = loadOnce(`${id}:test`, () =>
        loadDataset(labDatasetReader(id, datasetBaseUrl(id, this.origin)), { splits: ['test'] }),
      );
    }
    const loaded = await testDataset;
    const result = await regradeSubmission(tf, submission, {
      bundle,
      testDataset: loaded,
      modelReader: (modelId) => labModelReader(modelId, this.origin, { trust: this.modelTrust }),
    });
    if (reproduce) {
      if (!sandbox) throw new Error(`reproducing ${bundle.exercise.id} trains its code: it needs a sandbox`);
      const check = checkReproduction(
        submission,
        result.report,
        await this.reproduceTraining(bundle, submission, backend, sandbox, () => testDataset),
      );
      result.flags.push(...check.flags);
      result.reproduction = { reproduced: check.reproduced, summary: check.summary };
    }
    return { ...result, backend: choice.backend };
  }

  /**
   * A training submission's code trained again in the sandbox at the end of `sandbox`, as a run
   * of the page would be (the host observes its epochs and data), graded on the re-grade's test
   * data; the model is not kept.
   */
  private async reproduceTraining(
    bundle: RegradeRequest['bundle'],
    submission: RegradeRequest['submission'],
    leadBackend: RegradeRequest['backend'],
    sandbox: MessagePort,
    testData: () => Promise<LoadedDataset>,
  ): Promise<Reproduction> {
    const onBackend = reproductionBackend<BackendPreference>(submission, browserBackends, leadBackend);
    const run: RunRequest = {
      ...reproductionRun(bundle, submission, onBackend),
      gradingKey: await loadGradingKey(tf, bundle, {}),
    };
    const outcome = await superviseRun(run, () => messagePortChannel(sandbox), {
      ...this.hostEnvironment(() => {}),
      testData,
    }).outcome;
    return reproductionOf(outcome, bundle.exercise.id, { node: false, backend: onBackend });
  }

  async keptModel(exerciseId: string): Promise<ModelArtifactsJson | null> {
    return readKeptModel(tf, exerciseId);
  }

  async deviceFacts(): Promise<DeviceFacts> {
    return readDeviceFacts();
  }

  async measureBackends(inputShape: [number, number, number]): Promise<SpeedMeasurement> {
    prepareTfjs();
    const facts = await readDeviceFacts();
    const trials = await measureBackends(browserBackends, {
      probe: (backend) => withTimeout(probeBackend(tf, backend), MEASURE_SECONDS, `${backend}'s probe`),
      time: () =>
        withTimeout(
          timeTrainingSteps(tf, { inputShape, now: () => performance.now() }),
          MEASURE_SECONDS,
          'the timed steps',
        ),
      software: (backend) =>
        backend === 'webgpu'
          ? !!facts.webgpu?.software
          : backend === 'webgl'
            ? !!facts.webgl?.software
            : false,
    });
    return { key: deviceKey(facts), measuredAt: new Date().toISOString(), inputShape, facts, trials };
  }

  async previewAugmentations(request: AugmentPreviewRequest): Promise<AugmentPreviewAnswer> {
    prepareTfjs();
    await chooseBackend(tf, request.backend, browserBackends);
    const id = request.datasetId;
    const wanted = Math.max(0, Math.floor(request.imageIndex ?? 0));
    // The preview's images are in the sample sheet; any other is read from the whole train split.
    const { sheet } = await this.sampleSheet(id);
    const fromSheet = sheet && sheetImage(sheet, wanted);
    let stored: Uint8Array;
    let imageShape: number[];
    if (sheet && fromSheet) {
      stored = fromSheet;
      imageShape = sheet.manifest.imageShape;
    } else {
      const loaded = await this.trainSplit(id);
      const split = loaded.splits.train!;
      imageShape = loaded.manifest.imageShape;
      const size = imageBytes(loaded.manifest);
      const index = Math.min(wanted, split.count - 1);
      stored = split.images.subarray(index * size, (index + 1) * size);
    }
    const [height, width, channels] = imageShape;
    const pixels = Float32Array.from(stored, (v) => v / 255);
    this.augmentApi ??= createAugmentApi(tf);
    const { ops, preview } = this.augmentApi;
    const seed = request.seed ?? 1;
    const image = tf.tensor3d(pixels, [height, width, channels]);
    try {
      const batch = preview(
        image,
        (x) =>
          request.steps.reduce((out, step, i) => applyStep(ops, out, step, seed + i, [height, width]), x),
        {
          count: request.count ?? 9,
        },
      );
      const [count, outHeight, outWidth, outChannels] = batch.shape;
      const values = await batch.data();
      batch.dispose();
      return gridRgba(values, { count, height: outHeight, width: outWidth, channels: outChannels });
    } finally {
      image.dispose();
    }
  }

  /**
   * Sample images of each class of a dataset's train split (worker/gallery.ts); no tfjs needed.
   * From the sample sheet when it holds what is asked; else, or when the sheet is damaged (the
   * answer says why), from the whole train split.
   */
  async gallerySamples(request: GalleryRequest): Promise<GalleryAnswer> {
    const id = request.datasetId;
    const perClass = Math.max(0, Math.floor(request.perClass));
    const scan = Math.max(0, request.scan ?? 0);
    const { sheet, problem } = await this.sampleSheet(id);
    if (sheet && sheetAnswers(sheet, perClass, scan)) return galleryFromSheet(sheet, perClass, scan);
    const answer = galleryOf(await this.trainSplit(id), perClass, scan);
    return problem ? { ...answer, sheetProblem: problem } : answer;
  }

  /** A dataset's whole train split, decoded once per worker. */
  private trainSplit(id: string): Promise<LoadedDataset> {
    return loadOnce(`${id}:train`, () =>
      loadDataset(labDatasetReader(id, datasetBaseUrl(id, this.origin)), { splits: ['train'] }),
    );
  }

  /**
   * A dataset's sample sheet, once per worker; none when its manifest lists none (prepared or
   * imported before sheets), and why not when the sheet it lists cannot be read. A manifest that
   * cannot be read rejects, as the train split would.
   */
  private sampleSheet(id: string): Promise<{ sheet?: LoadedSampleSheet; problem?: string }> {
    return loadOnce(`${id}:samples`, async () => {
      const read = labDatasetReader(id, datasetBaseUrl(id, this.origin));
      const manifest = await readManifest(read);
      if (!manifest.samples) return {};
      try {
        return { sheet: await loadSampleSheet(read, manifest) };
      } catch (error) {
        return { problem: errorMessage(error) };
      }
    });
  }
}

/** The most seconds one backend's probe, or its timed steps, may take before it counts as failed. */
const MEASURE_SECONDS = 60;

function withTimeout<T>(work: Promise<T>, seconds: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took more than ${seconds} s`)), seconds * 1000);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** The backends this worker grades on, in the run's measured order where it has one. */
function hostOrder(request: RunRequest): Backend[] {
  const ordered = request.backendOrder?.filter((b) => browserBackends.includes(b)) ?? [];
  return ordered.length ? ordered : browserBackends;
}

/**
 * Grades on this worker's backend; when that breaks (a lost GPU device, an AbortError from
 * mapAsync, or a probe after grading that no longer agrees with the CPU), drops it with a message
 * and grades again on the next one that passes the probe.
 */
async function gradeOnWorkingBackend<T>(
  grade: () => Promise<T>,
  first: Backend,
  order: Backend[],
  send: (event: RunEvent) => void,
): Promise<T> {
  let backend = first;
  let remaining = order.filter((b) => b !== first);
  for (;;) {
    let lost: unknown = null;
    try {
      const result = await grade();
      const error = (result as { error?: { message?: string } }).error;
      if (error && isBackendLossError(error.message)) {
        lost = error.message;
      } else {
        // A backend that now disagrees with the CPU may have graded with zeros: check it again.
        const broken = backend === 'cpu' ? null : await probeBackend(tf, backend);
        if (broken === null) return result;
        lost = new Error(`${backend} gives results the CPU backend does not (${broken})`);
      }
    } catch (thrown) {
      if (!isBackendLossError(thrown)) throw thrown;
      lost = thrown;
    }
    if (remaining.length === 0) throw lost instanceof Error ? lost : new Error(String(lost));
    const next = await chooseBackend(tf, 'auto', remaining);
    send({
      type: 'log',
      level: 'warn',
      message: isBackendLossError(lost)
        ? `The GPU device was lost while grading on ${backend} (${errorMessage(lost)}); continuing on ${next.backend}`
        : `${errorMessage(lost)}; grading again on ${next.backend}`,
    });
    backend = next.backend;
    remaining = remaining.slice(remaining.indexOf(backend) + 1);
  }
}

/** What this browser says about its GPU adapters; nothing here starts a tfjs backend. */
async function readDeviceFacts(): Promise<DeviceFacts> {
  const nav = self.navigator as unknown as {
    userAgent: string;
    gpu?: {
      requestAdapter(): Promise<{
        info?: Record<string, unknown>;
        isFallbackAdapter?: boolean;
      } | null>;
    };
  };
  let webgpu: DeviceFacts['webgpu'] = null;
  try {
    const adapter = await nav.gpu?.requestAdapter();
    if (adapter) {
      const info = adapter.info ?? {};
      const named = ['vendor', 'architecture', 'device', 'description']
        .map((field) => info[field])
        .filter((value) => typeof value === 'string' && value !== '')
        .join(' ');
      const fallback = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true;
      const description = `${named || 'unnamed adapter'}${fallback ? ' (fallback adapter)' : ''}`;
      webgpu = { description, software: fallback || isSoftwareRenderer(description) };
    }
  } catch {
    webgpu = null;
  }
  let webgl: DeviceFacts['webgl'] = null;
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (gl) {
      const debug = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
      webgl = { renderer, software: isSoftwareRenderer(renderer) };
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
  } catch {
    webgl = null;
  }
  return { userAgent: nav.userAgent, webgpu, webgl };
}

/** One preview step as the augmentation op it names, with the panel's single strength. */
function applyStep(
  ops: AugmentApi['ops'],
  batch: tf.Tensor4D,
  { augmentation, factor }: PreviewStep,
  seed: number,
  [height, width]: [number, number],
): tf.Tensor4D {
  switch (augmentation) {
    case 'flip':
      return ops.randomFlip(batch, { mode: 'horizontal', seed });
    case 'rotation':
      return ops.randomRotation(batch, { factor, seed });
    case 'zoom':
      return ops.randomZoom(batch, { heightFactor: factor, seed });
    case 'translation':
      return ops.randomTranslation(batch, { heightFactor: factor, widthFactor: factor, seed });
    case 'brightness':
      return ops.randomBrightness(batch, { factor, seed });
    case 'contrast':
      return ops.randomContrast(batch, { factor, seed });
    case 'cutout':
      return ops.cutout(batch, { size: Math.max(1, Math.round(factor * Math.min(height, width))), seed });
  }
}

/** Lays out [count, h, w, c] values in [0, 1] as one RGBA grid, close to square; grey is copied to RGB. */
export function gridRgba(
  values: ArrayLike<number>,
  shape: { count: number; height: number; width: number; channels: number },
): AugmentPreviewAnswer {
  const { count, height, width, channels } = shape;
  const columns = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const gridWidth = columns * width;
  const gridHeight = rows * height;
  const rgba = new Uint8ClampedArray(gridWidth * gridHeight * 4);
  for (let n = 0; n < count; n++) {
    const left = (n % columns) * width;
    const top = Math.floor(n / columns) * height;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const from = ((n * height + y) * width + x) * channels;
        const to = ((top + y) * gridWidth + left + x) * 4;
        for (let c = 0; c < 3; c++) rgba[to + c] = values[from + (channels >= 3 ? c : 0)] * 255;
        rgba[to + 3] = 255;
      }
    }
  }
  return { rgba, width: gridWidth, height: gridHeight, columns, rows };
}
