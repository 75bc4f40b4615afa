/** A learner's submissions in one file: round trip, bounds and hostile input; and non-JSON files. */
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../../src/core/shared/format-error';
import {
  buildSubmissionBundle,
  MAX_BUNDLE_SUBMISSIONS,
  parseSubmissionBundle,
  parseSubmissionsFile,
  serializeSubmissionBundle,
  submissionBundleFileName,
} from '../../../src/core/exercises/submission-bundle';
import { decodeTextFile } from '../../../src/core/exercises/format-io';
import { parseSubmission, serializeSubmission } from '../../../src/core/exercises/submission';
import { parseSet } from '../../../src/core/exercises/set';
import { plainSubmission } from '../../fixtures/teams/plain-submission';

const week = { id: 'week-1', title: 'Week 1' };

function fails(fn: () => unknown, message: RegExp) {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(FormatError);
  expect((error as Error).message).toMatch(message);
  // eslint-disable-next-line no-control-regex
  expect((error as Error).message).not.toMatch(/[\u0000-\u0008\u000e-\u001f\ufffd]/);
}

describe('submission bundles', () => {
  it('round-trip, and a single submission reads as one', async () => {
    const a = await plainSubmission('Ada', 'metrics-iou', { set: week });
    const b = await plainSubmission('Ada', 'quiz-cnn-architectures', { set: week, passed: false, score: 40 });
    const bundle = buildSubmissionBundle([a, b], { set: week, createdAt: '2026-01-02T00:00:00Z' });
    const text = serializeSubmissionBundle(bundle);
    expect(parseSubmissionBundle(text)).toEqual(bundle);
    expect(parseSubmissionsFile(text)).toEqual([a, b]);
    expect(parseSubmissionsFile(serializeSubmission(a))).toEqual([parseSubmission(serializeSubmission(a))]);
    expect(submissionBundleFileName(bundle)).toBe('ada.week-1.cvsubs.json');
  });

  it('refuse hostile and malformed bundles, naming the submission at fault', async () => {
    const a = await plainSubmission('Ada', 'metrics-iou', { set: week });
    const bundle = JSON.parse(serializeSubmissionBundle(buildSubmissionBundle([a], { set: week })));
    const variant = (patch: (b: Record<string, unknown>) => void) => {
      const copy = structuredClone(bundle);
      patch(copy);
      return JSON.stringify(copy);
    };
    fails(
      () =>
        parseSubmissionsFile(
          variant((b) => ((b.submissions as unknown[])[0] = { ...a, learner: { name: 'Eve' } })),
        ),
      /submissions bundle: submissions\.0: made by another learner/,
    );
    fails(
      () =>
        parseSubmissionsFile(variant((b) => ((b.submissions as unknown[])[0] = { ...a, codeSha256: 'x' }))),
      /submissions bundle: submissions\.0: codeSha256/,
    );
    fails(
      () =>
        parseSubmissionsFile(
          variant((b) => ((b.submissions as unknown[])[0] = { ...a, format: 'cv-lab-set' })),
        ),
      /submissions\.0: format is 'cv-lab-set'/,
    );
    fails(() => parseSubmissionsFile(variant((b) => (b.submissions = []))), /at least one/);
    fails(
      () => parseSubmissionsFile(variant((b) => (b.submissions = Array(MAX_BUNDLE_SUBMISSIONS + 1).fill(a)))),
      /submissions/,
    );
    fails(() => parseSubmissionsFile(variant((b) => (b.version = 2))), /version 2 is newer/);
    fails(() => parseSubmissionsFile(variant((b) => (b.extra = 1))), /Unrecognized key|extra/);
    fails(
      () => parseSubmissionsFile('{"format":"cv-lab-submissions","__proto__":{"x":1}}'),
      /'__proto__' is not allowed/,
    );
    let deep = '1';
    for (let i = 0; i < 100; i++) deep = `[${deep}]`;
    fails(() => parseSubmissionsFile(`{"format":"cv-lab-submissions","x":${deep}}`), /nested deeper/);
    fails(() => parseSubmissionsFile('{"format":"cv-lab-submissions", '), /not JSON/);
    expect(() => buildSubmissionBundle([])).toThrow(FormatError);
  });

  it('name what a renamed image or archive is, in one line and without its bytes', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]);
    // The page reads files as UTF-8 text; the CLI decodes the bytes.
    const asText = new TextDecoder().decode(png);
    fails(() => parseSubmissionsFile(asText), /^submission: this is a PNG image, not a submission$/);
    fails(() => decodeTextFile(png, 'submission'), /^submission: this is a PNG image, not a submission$/);
    await expect(parseSet(asText)).rejects.toThrow(/^set: this is a PNG image, not a set$/);
    const zip = new TextDecoder().decode(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]));
    fails(() => parseSubmissionsFile(zip), /this is a ZIP archive/);
    fails(() => parseSubmissionsFile('hello, not json'), /^submission: not JSON \(/);
  });
});
