/**
 * The lab worker answers the galleries and the augmentation preview from a dataset's sample sheet,
 * reading neither train shard; without a sheet (prepared or imported before sheets), or with a
 * damaged one, from the whole train split, the same images, and a damaged sheet says so.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@cv-lab/runtime/node';
import { SAMPLE_SHEET_FILE } from '../../../src/core/datasets/sample-sheet';
import { LabWorkerHost } from '../../../src/worker/lab-worker-host';
import { buildMarks } from '../../fixtures/datasets/marks';
import { filesOf, serveFiles } from '../../fixtures/datasets/tiny';

beforeAll(async () => {
  await initNodeBackend('cpu');
});

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A fresh worker (its caches are per worker and id: each test serves its own id) over `files`. */
async function hostServing(files: Map<string, Uint8Array>) {
  const served = await serveFiles(files);
  servers.push(served);
  return { host: new LabWorkerHost(served.baseUrl.replace(/\/$/, '')), requests: served.requests };
}

/** The manifest's JSON with `edit` applied, as the files' `manifest.json`. */
function editManifest(
  files: Map<string, Uint8Array>,
  id: string,
  edit: (json: Record<string, unknown>) => void,
) {
  const json = JSON.parse(new TextDecoder().decode(files.get('manifest.json'))) as Record<string, unknown>;
  json.id = id;
  edit(json);
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(json)));
}

const trainShards = (requests: string[]) => requests.filter((name) => name.startsWith('train-images'));

describe('galleries from the sample sheet', () => {
  it('draws the galleries and the preview from the sheet alone', async () => {
    const files = filesOf(await buildMarks(150));
    editManifest(files, 'marks-sheet', () => {});
    const { host, requests } = await hostServing(files);
    const page = await host.gallerySamples({ datasetId: 'marks-sheet', perClass: 6 });
    const brief = await host.gallerySamples({ datasetId: 'marks-sheet', perClass: 3 });
    const ranked = await host.gallerySamples({ datasetId: 'marks-sheet', perClass: 0, scan: 64 });
    expect(page.source).toBe('sample sheet');
    expect(page.classes.map((c) => c.images.length)).toEqual([6, 6, 6]);
    expect(brief.classes.map((c) => c.images.length)).toEqual([3, 3, 3]);
    expect(ranked.striking).toHaveLength(64);
    const grid = await host.previewAugmentations({
      datasetId: 'marks-sheet',
      steps: [{ augmentation: 'flip', factor: 0 }],
      imageIndex: ranked.striking[0].index,
      backend: 'cpu',
    });
    expect(grid).toMatchObject({ width: 48, height: 48, columns: 3, rows: 3 });
    expect(trainShards(requests)).toEqual([]);
    expect(requests.filter((name) => name === SAMPLE_SHEET_FILE)).toHaveLength(1);

    // An image outside the sheet: the preview reads the train split for it.
    await host.previewAugmentations({ datasetId: 'marks-sheet', steps: [], imageIndex: 149, backend: 'cpu' });
    expect(trainShards(requests).length).toBeGreaterThan(0);
  });

  it('falls back to the whole train split without a sheet, with the same images', async () => {
    const built = await buildMarks(150);
    const withSheet = filesOf(built);
    editManifest(withSheet, 'marks-compare', () => {});
    const older = filesOf(built);
    older.delete(SAMPLE_SHEET_FILE);
    editManifest(older, 'marks-older', (json) => delete json.samples);
    const fromSheet = (await hostServing(withSheet)).host;
    const { host, requests } = await hostServing(older);
    for (const [perClass, scan] of [
      [6, 0],
      [0, 64],
    ]) {
      const a = await fromSheet.gallerySamples({ datasetId: 'marks-compare', perClass, scan });
      const b = await host.gallerySamples({ datasetId: 'marks-older', perClass, scan });
      expect(b.source).toBe('train split');
      expect(b.sheetProblem).toBeUndefined();
      expect({ ...b, source: a.source }).toEqual(a);
    }
    expect(trainShards(requests).length).toBeGreaterThan(0);
  });

  it('says why when the sheet is damaged, and still draws the images from the train split', async () => {
    const files = filesOf(await buildMarks(150));
    editManifest(files, 'marks-damaged', () => {});
    const sheet = files.get(SAMPLE_SHEET_FILE)!;
    files.set(SAMPLE_SHEET_FILE, sheet.subarray(0, sheet.length - 7));
    const { host } = await hostServing(files);
    const answer = await host.gallerySamples({ datasetId: 'marks-damaged', perClass: 6 });
    expect(answer.source).toBe('train split');
    expect(answer.sheetProblem).toMatch(/train-samples\.bin\.gzip.*truncated/);
    expect(answer.classes.map((c) => c.images.length)).toEqual([6, 6, 6]);
  });
});
