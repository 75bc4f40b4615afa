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
