/**
 * A backup is checked whole before anything is written: every record against the app's schemas,
 * every database against the version this app reads. (IndexedDB itself is checked in Chromium:
 * tests/e2e/hostile-files.test.ts.)
 */
import { describe, expect, test } from 'vitest';
import { checkBackup } from '../../../src/app/storage/backup-records';
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  encodeValue,
  type Backup,
} from '../../../src/app/storage/backup-format';
import { buildSet } from '../../../src/core/exercises/set';

const set = buildSet({
  id: 'week-1',
  title: 'Week 1',
  createdAt: '2026-01-01T00:00:00Z',
  exercises: [{ id: 'fashion-mnist-dense' }],
});
const draft = { exerciseId: 'fashion-mnist-dense', code: '// mine', savedAt: '2026-01-02T00:00:00Z' };

function backup(databases: Backup['databases']): Backup {
  return { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: '2026-01-03T00:00:00Z', databases };
}

function store(name: string, keyPath: string | string[], values: unknown[]) {
  return {
    name,
    keyPath,
    autoIncrement: false,
    indexes: [],
    records: values.map((value) => ({ key: null, value: encodeValue(value) })),
  };
}

const validLab = { name: 'cv-lab', version: 2, stores: [store('drafts', 'exerciseId', [draft])] };
const validTeams = {
  name: 'cv-lab-teams',
  version: 1,
  stores: [
    store('sets', 'id', [{ id: set.id, text: JSON.stringify(set), importedAt: '2026-01-02T00:00:00Z' }]),
  ],
};

describe('checking a backup before writing it', () => {
  test('a valid backup passes with every record', async () => {
    const checked = await checkBackup(backup([validLab, validTeams]));
    expect(checked.map((d) => [d.name, d.stores.map((s) => [s.name, s.records.length])])).toEqual([
      ['cv-lab', [['drafts', 1]]],
      ['cv-lab-teams', [['sets', 1]]],
    ]);
  });

  test('one bad record among good ones refuses the whole backup, saying where', async () => {
    const halfValid = backup([
      {
        ...validLab,
        stores: [
          store('drafts', 'exerciseId', [draft, { exerciseId: 'x', code: 42, savedAt: 'now' }]),
          store('results', 'exerciseId', [{ exerciseId: 'x', savedAt: 'now', report: { passed: 'yes' } }]),
        ],
      },
      validTeams,
    ]);
    await expect(checkBackup(halfValid)).rejects.toThrow(
      /^This backup cannot be imported: cv-lab\/drafts, record 2: code: .*; cv-lab\/results, record 1: not a result with a valid report\. Nothing was imported: everything here is as it was\.$/,
    );
  });

  test('a set record whose text is not a valid set, or names another set, is refused', async () => {
    const other = buildSet({ ...set, id: 'week-2' });
    const bad = backup([
      {
        ...validTeams,
        stores: [
          store('sets', 'id', [
            { id: 'week-1', text: '{"format":"cv-lab-set"}', importedAt: 'x' },
            { id: 'week-1', text: JSON.stringify(other), importedAt: 'x' },
          ]),
        ],
      },
    ]);
    await expect(checkBackup(bad)).rejects.toThrow(
      /cv-lab-teams\/sets, record 1: .*; cv-lab-teams\/sets, record 2: it holds the set week-2/,
    );
  });

  test('a database at version 999, or one the app does not keep, is refused', async () => {
    await expect(checkBackup(backup([{ ...validTeams, version: 999, stores: [] }]))).rejects.toThrow(
      'cv-lab-teams is at version 999, made by a newer CV Lab (this one reads up to 1)',
    );
    await expect(checkBackup(backup([{ name: 'evil', version: 1, stores: [] }]))).rejects.toThrow(
      'it holds a database CV Lab does not keep ("evil")',
    );
  });

  test('a store the app lacks is left out and said so, not written', async () => {
    const checked = await checkBackup(
      backup([{ ...validLab, stores: [...validLab.stores, store('surprise', 'id', [{ id: 1 }])] }]),
    );
    expect(checked[0].stores.map((s) => s.name)).toEqual(['drafts']);
    expect(checked[0].skipped).toEqual([
      'cv-lab/surprise: 1 records kept out (this version of CV Lab has no such store)',
    ]);
  });
});

describe('rosters in a backup (version 2)', () => {
  async function rosterDatabase() {
    const { plainSubmission, plainRow } = await import('../../fixtures/teams/plain-submission');
    const { serializeSubmission } = await import('../../../src/core/exercises/submission');
    const submission = await plainSubmission('Ada', 'fashion-mnist-dense');
    return {
      name: 'cv-lab-roster',
      version: 1,
      stores: [
        store('rosters', 'key', [
          {
            key: 'set:week-1',
            title: 'Week 1',
            setText: JSON.stringify(set),
            setFile: 'week-1.cvset.json',
            setHash: 'abc',
            comments: { 'Ada\u0000fashion-mnist-dense': 'well done' },
            updatedAt: '2026-01-02T00:00:00Z',
          },
        ]),
        store('entries', 'id', [
          {
            id: 'e1',
            rosterKey: 'set:week-1',
            file: 'ada.cvsub.json',
            seq: 1,
            state: 'done',
            row: plainRow({ exerciseId: 'fashion-mnist-dense', comment: 'well done' }),
            hasSubmission: true,
            updatedAt: '2026-01-02T00:00:00Z',
          },
        ]),
        store('files', 'id', [{ id: 'e1', text: serializeSubmission(submission) }]),
        store('builder', 'id', [
          {
            id: 'draft',
            form: {
              title: 'Week 2',
              author: '',
              notes: '',
              due: '',
              entries: [{ id: 'metrics-iou', threshold: '0.5', minutes: '' }],
              exam: {
                enabled: false,
                minutes: '60',
                weights: { beginner: '1', intermediate: '2', advanced: '3' },
              },
              privateTest: null,
            },
            savedAt: '2026-01-02T00:00:00Z',
          },
        ]),
      ],
    };
  }

  test('round-trip through the file: every roster record comes back as it went in', async () => {
    const { parseBackup } = await import('../../../src/app/storage/backup-format');
    const roster = await rosterDatabase();
    const text = JSON.stringify(backup([validLab, validTeams, roster]));
    const checked = await checkBackup(parseBackup(text));
    const rosterOut = checked.find((d) => d.name === 'cv-lab-roster')!;
    expect(rosterOut.stores.map((s) => [s.name, s.records.length])).toEqual([
      ['rosters', 1],
      ['entries', 1],
      ['files', 1],
      ['builder', 1],
    ]);
    const entry = rosterOut.stores[1].records[0].value as { row: { comment: string; report?: unknown } };
    expect(entry.row.comment).toBe('well done');
    expect((rosterOut.stores[0].records[0].value as { comments: unknown }).comments).toEqual({
      'Ada\u0000fashion-mnist-dense': 'well done',
    });
  });

  test('a version-1 backup (no rosters) still imports; a newer version is refused by name', async () => {
    const { parseBackup } = await import('../../../src/app/storage/backup-format');
    const old = parseBackup(JSON.stringify({ ...backup([validLab, validTeams]), version: 1 }));
    expect((await checkBackup(old)).map((d) => d.name)).toEqual(['cv-lab', 'cv-lab-teams']);
    expect(() => parseBackup(JSON.stringify({ ...backup([]), version: 3 }))).toThrow(
      /made by a newer CV Lab \(backup version 3; this one reads up to 2\)/,
    );
  });

  test('a roster whose submission file is not a submission, or whose set is another, is refused', async () => {
    const roster = await rosterDatabase();
    const badFile = {
      ...roster,
      stores: roster.stores.map((s) =>
        s.name === 'files' ? store('files', 'id', [{ id: 'e1', text: '\u0089PNG\r\n\u001a\n' }]) : s,
      ),
    };
    await expect(checkBackup(backup([badFile]))).rejects.toThrow(
      /cv-lab-roster\/files, record 1: submission: this is a PNG image, not a submission/,
    );
    const otherSet = {
      ...roster,
      stores: roster.stores.map((s) =>
        s.name === 'rosters'
          ? store('rosters', 'key', [
              {
                key: 'set:week-9',
                title: 'x',
                setText: JSON.stringify(set),
                setHash: '',
                comments: {},
                updatedAt: '2026-01-02T00:00:00Z',
              },
            ])
          : s,
      ),
    };
    await expect(checkBackup(backup([otherSet]))).rejects.toThrow(/it holds the set week-1/);
  });
});
