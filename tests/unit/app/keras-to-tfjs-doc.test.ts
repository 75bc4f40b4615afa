/**
 * Keeps docs/keras-to-tfjs.md honest (issue 13): every `lab.augment` option and its default, every
 * pretrained model, every `lab.models` function and every key of the Lab as the code has them; every
 * layer, optimizer, loss and callback the exercises use; and every brief links the reference with a
 * link the router and the markdown sanitiser accept.
 *
 * The `satisfies Record<keyof X, true>` lists fail `tsc` when an interface gains or loses a key, so a
 * new option cannot slip past this test unlisted.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { kerasReferenceHref, parseRoute, routeHref } from '../../../src/app/routing';
import { linkVerdict } from '../../../src/app/security/url-policy';
import {
  AUGMENTATION_LAYER_CLASSES,
  checkFillMode,
  checkFlipMode,
  checkInterpolation,
  checkValueRange,
  createAugmentApi,
  type CutoutOptions,
  type GaussianNoiseOptions,
  type MixupOptions,
  type PreviewOptions,
  type RandomBrightnessOptions,
  type RandomContrastOptions,
  type RandomCropOptions,
  type RandomFlipOptions,
  type RandomRotationOptions,
  type RandomTranslationOptions,
  type RandomZoomOptions,
} from '../../../src/core/augment';
import { resolveCutout, resolveMixup } from '../../../src/core/augment/ops';
import { DEFAULT_SEED, resolveDataLoadOptions } from '../../../src/core/datasets/tensors';
import { createLabModels, type LabModels } from '../../../src/core/models/lab-models';
import type { MobileNetV1Options, MobileNetV2Options } from '../../../src/core/models/mobilenet';
import { PRETRAINED_MODELS } from '../../../src/core/models/registry';
import type { FreezeOptions, UnfreezeOptions } from '../../../src/core/models/transfer';
import type { DataLoadOptions, Lab, LabDataset, LabSplit } from '../../../src/core/sandbox/lab';

const root = path.resolve(import.meta.dirname, '../../..');
const doc = fs.readFileSync(path.join(root, 'docs/keras-to-tfjs.md'), 'utf8');
const exerciseIds = fs
  .readdirSync(path.join(root, 'exercises'))
  .filter((id) => fs.existsSync(path.join(root, 'exercises', id, 'brief.md')));

/** The doc names a thing as code: `` `name` ``, `` `name(` ``, `` `x.name` `` or `` `name: ...` ``. */
function namedInCode(name: string): boolean {
  const spans = doc.match(/`[^`\n]+`/g) ?? [];
  const word = new RegExp(`(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|$)`);
  const inSpans = spans.some((span) => word.test(span.slice(1, -1)));
  const blocks = doc.match(/```ts\n[\s\S]*?```/g) ?? [];
  return inSpans || blocks.some((block) => word.test(block));
}

/** The doc's section from a `##`/`###` heading to the next heading of level 2. */
function section(heading: string): string {
  const start = doc.indexOf(heading);
  expect(start, `heading ${heading}`).toBeGreaterThanOrEqual(0);
  const next = doc.indexOf('\n## ', start + heading.length);
  return doc.slice(start, next === -1 ? undefined : next);
}

/** Table rows of a section as trimmed cells. */
function rows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[\s-|]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

const keys = <T extends object>(record: Record<keyof T, true>) => Object.keys(record);

describe('docs/keras-to-tfjs.md against the code', () => {
  test('every option of every lab.augment op, layer and preview is in the option table', () => {
    const options = [
      ...keys<RandomFlipOptions>({ mode: true, seed: true }),
      ...keys<RandomRotationOptions>({
        factor: true,
        seed: true,
        fillMode: true,
        fillValue: true,
        interpolation: true,
      }),
      ...keys<RandomZoomOptions>({
        heightFactor: true,
        widthFactor: true,
        seed: true,
        fillMode: true,
        fillValue: true,
        interpolation: true,
      }),
      ...keys<RandomTranslationOptions>({
        heightFactor: true,
        widthFactor: true,
        seed: true,
        fillMode: true,
        fillValue: true,
        interpolation: true,
      }),
      ...keys<RandomCropOptions>({ height: true, width: true, seed: true }),
      ...keys<RandomBrightnessOptions>({ factor: true, valueRange: true, seed: true }),
      ...keys<RandomContrastOptions>({ factor: true, valueRange: true, seed: true }),
      ...keys<GaussianNoiseOptions>({ stddev: true, seed: true }),
      ...keys<CutoutOptions>({ size: true, count: true, fillValue: true, seed: true }),
      ...keys<MixupOptions>({ alpha: true, seed: true }),
    ];
    const table = rows(section('### Every `lab.augment` option'));
    const optionCells = new Set(table.map((cells) => cells[1]));
    for (const option of new Set(options)) expect(optionCells, option).toContain(`\`${option}\``);
    for (const option of keys<PreviewOptions>({ count: true, seed: true })) {
      expect(section('### Every `lab.augment` option'), option).toMatch(
        new RegExp(`lab\\.augment\\.preview\\(image, pipeline, \\{[^}]*\\b${option}\\b`),
      );
    }
  });

  test('every option name in options.ts is in the doc (a new interface cannot hide)', () => {
    const source = fs.readFileSync(path.join(root, 'src/core/augment/options.ts'), 'utf8');
    const bodies = [...source.matchAll(/^export interface \w+[^{]*\{([^}]*)\}/gm)].map((m) => m[1]);
    const members = bodies.flatMap((body) => [...body.matchAll(/^ {2}(\w+)\??: /gm)].map((m) => m[1]));
    expect(members.length).toBeGreaterThan(10);
    for (const member of new Set(members)) expect(namedInCode(member), member).toBe(true);
  });

  test('the option table states the defaults the code applies', () => {
    const table = rows(section('### Every `lab.augment` option'));
    const defaults: Record<string, string> = {
      mode: `\`'${checkFlipMode('t', undefined)}'\``,
      fillMode: `\`'${checkFillMode('t', undefined)}'\``,
      interpolation: `\`'${checkInterpolation('t', undefined)}'\``,
      valueRange: `\`[${checkValueRange('t', undefined).join(', ')}]\``,
      fillValue: `\`${resolveCutout({ size: 1 }).fillValue}\``,
      count: `\`${resolveCutout({ size: 1 }).count}\``,
      alpha: `\`${resolveMixup({}).alpha}\``,
    };
    for (const [option, expected] of Object.entries(defaults)) {
      const found = table.filter((cells) => cells[1] === `\`${option}\``);
      expect(found.length, option).toBeGreaterThan(0);
      for (const cells of found) expect(cells[2], option).toBe(expected);
    }
    // Options without a default are required, and the code refuses them missing.
    for (const [op, call] of [
      ['randomRotation', () => createAugmentApi(tf).layers.randomRotation({} as never)],
      ['randomZoom', () => createAugmentApi(tf).layers.randomZoom({} as never)],
      ['randomCrop', () => createAugmentApi(tf).layers.randomCrop({} as never)],
      ['cutout', () => createAugmentApi(tf).layers.cutout({} as never)],
    ] as const) {
      expect(call, op).toThrow();
      const first = table.find((cells) => cells[0] === `\`${op}\``);
      expect(first?.[2], op).toBe('required');
    }
  });

  test('every lab.augment op and layer, and every augmentation class, is named', () => {
    const api = createAugmentApi(tf);
    const table = rows(section('### Every `lab.augment` option'));
    const augmentations = new Set(table.map((cells) => cells[0]));
    for (const name of [...Object.keys(api.ops), ...Object.keys(api.layers)]) {
      expect(namedInCode(name), name).toBe(true);
      if (name !== 'mixup') expect(augmentations, name).toContain(`\`${name}\``);
    }
    for (const className of AUGMENTATION_LAYER_CLASSES) expect(namedInCode(className), className).toBe(true);
    for (const key of Object.keys(api)) expect(namedInCode(key), `lab.augment.${key}`).toBe(true);
  });

  test('every pretrained model is listed with its input, pixel range and classes', () => {
    const table = rows(section('## Transfer learning'));
    for (const entry of PRETRAINED_MODELS) {
      const row = table.find((cells) => cells[0] === `\`${entry.id}\``);
      expect(row, entry.id).toBeDefined();
      expect(row![1]).toBe(`\`[${entry.inputShape.join(', ')}]\``);
      expect(row![2]).toBe(`\`${entry.inputRange}\``);
      expect(row![3]).toBe(String(entry.classes));
      expect(row![4]).toMatch(entry.source.kind === 'bundled' ? /bundled/ : /downloaded/);
    }
  });

  test('every lab.models function and option is named', () => {
    const functions = keys<LabModels>({
      list: true,
      load: true,
      truncate: true,
      freeze: true,
      unfreeze: true,
      blocks: true,
      trainableParams: true,
      mobileNetV1: true,
      mobileNetV2: true,
    });
    expect(Object.keys(createLabModels(tf)).sort()).toEqual([...functions].sort());
    const table = rows(section('## Transfer learning'));
    for (const name of functions) {
      expect(
        table.some((cells) => cells[0].startsWith(`\`${name}(`)),
        `lab.models.${name}`,
      ).toBe(true);
    }
    const options = [
      ...keys<FreezeOptions>({ upTo: true }),
      ...keys<UnfreezeOptions>({ from: true, keepBatchNormFrozen: true }),
      ...keys<MobileNetV1Options>({
        alpha: true,
        inputShape: true,
        classes: true,
        includeTop: true,
        dropout: true,
      }),
      ...keys<MobileNetV2Options>({
        alpha: true,
        inputShape: true,
        classes: true,
        includeTop: true,
        dropout: true,
      }),
    ];
    for (const option of options) expect(namedInCode(option), option).toBe(true);
  });

  test('every key of the Lab, of lab.data.load and of a split is named, with the defaults', () => {
    const lab = keys<Lab>({
      tf: true,
      data: true,
      callbacks: true,
      augment: true,
      models: true,
      log: true,
      backend: true,
      exercise: true,
    });
    const labTable = rows(section('## The rest of the Lab'));
    for (const key of lab) {
      expect(
        labTable.some(
          (cells) =>
            cells[0] === `\`${key}\`` || cells[0].startsWith(`\`${key}(`) || cells[0].startsWith(`\`${key}.`),
        ),
        `lab.${key}`,
      ).toBe(true);
    }
    const defaults = resolveDataLoadOptions({});
    const loadOptions: Record<keyof DataLoadOptions, string> = {
      validationSplit: `\`${defaults.validationSplit}\``,
      limit: 'all',
      seed: `\`${DEFAULT_SEED}\``,
    };
    for (const [option, expected] of Object.entries(loadOptions)) {
      const row = labTable.find((cells) => cells[0] === `\`${option}\``);
      expect(row?.[1], option).toBe(expected);
    }
    for (const key of [
      ...keys<LabDataset>({ train: true, validation: true, classNames: true, imageShape: true }),
      ...keys<LabSplit>({ xs: true, ys: true, labels: true, count: true }),
    ]) {
      expect(namedInCode(key), key).toBe(true);
    }
  });

  test('every layer, optimizer, loss, callback and Lab call the exercises use is in the doc', () => {
    const used = new Set<string>();
    for (const id of exerciseIds) {
      for (const file of ['solution.ts', 'starter.ts']) {
        const code = fs.readFileSync(path.join(root, 'exercises', id, file), 'utf8');
        for (const m of code.matchAll(/\btf\.(layers|train|callbacks)\.(\w+)/g))
          used.add(`tf.${m[1]}.${m[2]}`);
        for (const m of code.matchAll(/\btf\.(sequential|model|input|CustomCallback)\b/g))
          used.add(`tf.${m[1]}`);
        for (const m of code.matchAll(/\blab\.(augment\.layers|augment\.ops|models|data)\.(\w+)/g)) {
          used.add(`lab.${m[1]}.${m[2]}`);
        }
        for (const m of code.matchAll(/\bloss: '(\w+)'/g)) used.add(m[1]);
        for (const m of code.matchAll(/\boptimizer: '(\w+)'/g)) used.add(m[1]);
        for (const m of code.matchAll(/\b(stopTraining|countParams|summary|onEpochEnd)\b/g)) used.add(m[1]);
      }
    }
    expect(used.size).toBeGreaterThan(20);
    for (const name of used) {
      const last = name.split('.').at(-1)!;
      expect(namedInCode(last), name).toBe(true);
    }
  });
});

describe('the briefs link the reference', () => {
  test('the link is an in-app route to the reference page', () => {
    expect(kerasReferenceHref).toBe('#/keras-to-tfjs');
    expect(routeHref.kerasToTfjs).toBe(kerasReferenceHref);
    expect(parseRoute(kerasReferenceHref)).toEqual({ page: 'keras-to-tfjs' });
    expect(linkVerdict(kerasReferenceHref, 'http://127.0.0.1:5173')).toBe('in-app');
  });

  test.each(exerciseIds)('%s/brief.md ends with the link', (id) => {
    const brief = fs.readFileSync(path.join(root, 'exercises', id, 'brief.md'), 'utf8');
    const lastLine = brief.trimEnd().split('\n').at(-1)!;
    expect(lastLine).toContain(`[From Keras to tfjs](${kerasReferenceHref})`);
  });

  test('the doc starts with the heading the page shows', () => {
    expect(doc.split('\n')[0]).toBe('# From Keras to tfjs');
  });
});
