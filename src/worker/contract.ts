/**
 * The typed contract between the page and the lab worker (the JupyterLite kernel pattern: a typed
 * API, a tiny worker entry, the logic in a class that tests can drive without a worker).
 *
 * The page calls these methods through comlink. Events stream back through `onEvent` (a comlink
 * proxy). This worker is the trusted side of the run protocol (core/sandbox/protocol.ts): it never
 * runs learner code. The page opens a sandbox per run (an opaque-origin frame and its worker) and
 * passes its port here. Stopping a run is not a method: the page removes the sandbox's frame and
 * terminates this worker, which always works, even when learner code is stuck in a loop.
 *
 * Trained models: a graded training run returns its model's artifacts (`serializeModel`, taken
 * through `env.onTrainedModel` before the run disposes the model) in the outcome's `model`, and
 * keeps the model in this browser with tfjs's IndexedDB handler under the exercise's key
 * (`keptModelUrl` in src/storage/kept-models.ts: the latest graded model per exercise). A save that
 * fails (full quota, private browsing) does not fail the run: the outcome says why
 * (`modelKeepError`). The page keeps the last outcome in memory; after a reload it asks
 * `keptModel` for the stored one (export a submission, download the model). Nothing lives only in
 * the worker, so a worker terminated by Stop loses nothing the page needs.
 *
 * Re-grading (the roster): the page sends a parsed submission, the exercise as the set asks for it
 * and, when the set has one, its private test; the worker rebuilds the model and grades it, off the
 * main thread. Test data is cached in the worker (the prepared dataset by id, a private test by
 * the key the page gives it), so re-grading many submissions decodes it once.
 */
import type { ExerciseCard } from '../core/exercises/schema';
import type { PrivateCase, PrivateTest } from '../core/exercises/set';
import type { Submission } from '../core/exercises/submission';
import type { RegradeResult } from '../core/grading/regrade';
import type { ModelArtifactsJson } from '../core/models/artifacts';
import type { RunEvent } from '../core/sandbox/events';
import type { BackendPreference, RunOutcome, RunRequest } from '../core/sandbox/run-types';
import type { DeviceFacts, SpeedMeasurement } from '@cv-lab/runtime';

export interface LabRunOutcome extends RunOutcome {
  /** The trained model of a graded training run; absent for function and quiz exercises. */
  model?: ModelArtifactsJson;
  /**
   * Whether the trained model was kept in this browser (`keptModelUrl(exerciseId)`); absent for
   * function and quiz exercises and for runs that produced no graded model.
   */
  modelKept?: boolean;
  /** Why the model could not be kept (quota, private browsing), when `modelKept` is false. */
  modelKeepError?: string;
}

/**
 * A run as the page asks for it: the exercise's card (with a set's overrides), never a grading key,
 * which the worker loads itself (worker/grading-keys.ts).
 */
export interface PageRunRequest extends Omit<RunRequest, 'gradingKey'> {
  /** Opened from an exam-mode set: quiz answers are not loaded; the lead grades the quiz. */
  exam?: boolean;
}

export interface RegradeRequest {
  submission: Submission;
  /** The exercise as the set asks for it (`applySetOverrides`), or as the catalog has it. */
  bundle: ExerciseCard;
  /** The set's private test, with a key that names it for the worker's cache (e.g. set id + date). */
  privateTest?: { key: string; data: PrivateTest };
  /** The lead's set's private cases for this (function) exercise. */
  privateCases?: PrivateCase[];
  backend: BackendPreference;
  /**
   * Also train a training submission's code again in `sandbox` (a fresh one), with its recorded
   * seed and backend where this browser has it, and compare (core/grading/reproduce.ts): the
   * answer's `reproduction` and `not-reproduced` flags. Optional: without it, as before.
   */
  reproduce?: boolean;
}

export interface RegradeAnswer extends RegradeResult {
  /** The backend the re-grade ran on. */
  backend: string;
}

/** The augmentations the preview panel offers, each with one strength in the learner's terms. */
export type PreviewAugmentation =
  'flip' | 'rotation' | 'zoom' | 'translation' | 'brightness' | 'contrast' | 'cutout';

export interface PreviewStep {
  augmentation: PreviewAugmentation;
  /**
   * The op's `factor` (rotation: fraction of a turn; zoom, translation: fraction of the side;
   * brightness, contrast: as in Keras); cutout: the square's side as a fraction of the image's. Flip ignores it.
   */
  factor: number;
}

export interface AugmentPreviewRequest {
  datasetId: string;
  /** Applied in order to `count` copies of one train image. */
  steps: PreviewStep[];
  /** Which train image. Default 0. */
  imageIndex?: number;
  /** Copies to draw. Default 9 (a 3×3 grid). */
  count?: number;
  seed?: number;
  backend: BackendPreference;
}

/** The copies laid out as one grid, `columns` wide, as RGBA bytes ready for `ImageData`. */
export interface AugmentPreviewAnswer {
  rgba: Uint8ClampedArray;
  /** Size of the whole grid, in pixels. */
  width: number;
  height: number;
  columns: number;
  rows: number;
}

/**
 * Sample images of a prepared dataset's train split (the Datasets page, an exercise's brief). The
 * worker answers from the dataset's sample sheet (core/datasets/sample-sheet.ts: a few KB) when it
 * holds what is asked, else from the whole train split (a dataset prepared or imported before sheets).
 */
export interface GalleryRequest {
  datasetId: string;
  /** Images of each class, the first of that class in the split. */
  perClass: number;
  /** Rank the first this many train images for the augmentation preview (`striking`). Default 0. */
  scan?: number;
}

export interface GalleryAnswer {
  classNames: string[];
  /** Every image's size in pixels. */
  width: number;
  height: number;
  /** In class order: up to `perClass` images each, as RGBA bytes ready for `ImageData`. */
  classes: { name: string; images: { index: number; rgba: Uint8ClampedArray }[] }[];
  /**
   * The first `scan` train images, most asymmetric first (a flip or a rotation shows on them: the
   * augmentation preview's images); with their labels.
   */
  striking: { index: number; label: number }[];
  /** Where the images came from: the dataset's sample sheet, or its whole train split. */
  source: 'sample sheet' | 'train split';
  /** Why the sheet the manifest lists could not be used (missing, damaged): the train split was read instead. */
  sheetProblem?: string;
}

export interface LabWorkerApi {
  /**
   * Supervises a run whose learner code runs in the sandbox at the other end of `sandbox` (a port
   * of app/run/sandbox-frame.ts's worker); the page closes that sandbox once this resolves.
   */
  run(
    request: PageRunRequest,
    sandbox: MessagePort,
    onEvent: (event: RunEvent) => void,
  ): Promise<LabRunOutcome>;
  /**
   * Re-grades a submission; a function exercise's or quiz's code, or a training submission's code
   * trained again (`reproduce`), runs in `sandbox`, a fresh one.
   */
  regrade(request: RegradeRequest, sandbox?: MessagePort): Promise<RegradeAnswer>;
  /** Augments one train image of a dataset many times over, off the main thread. */
  previewAugmentations(request: AugmentPreviewRequest): Promise<AugmentPreviewAnswer>;
  /** Sample images of each class of a dataset's train split, decoded off the main thread. */
  gallerySamples(request: GalleryRequest): Promise<GalleryAnswer>;
  /**
   * The model this browser keeps for an exercise (the latest graded run's, or one an imported
   * backup brought), as the artifacts a submission carries; null when none is kept. Rejects when
   * the stored model cannot be read or is not one a submission can carry.
   */
  keptModel(exerciseId: string): Promise<ModelArtifactsJson | null>;
  /** This browser's GPU adapters, for the key measured speeds are kept under (no backend starts). */
  deviceFacts(): Promise<DeviceFacts>;
  /**
   * Probes every backend against the CPU and times a few training steps of a small CNN on
   * `inputShape` on each that passes (packages/runtime/src/backend-speed.ts); a second or two each.
   */
  measureBackends(inputShape: [number, number, number]): Promise<SpeedMeasurement>;
}
