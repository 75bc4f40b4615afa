/**
 * Under an exercise on the course's downloaded data: where its targets come from (the course's
 * graders, not measured here), whether its dataset is on this server, and if not, what it downloads
 * and what to run; and which published model it loads on first use. The downloads themselves are the
 * CLI's (`npx cv-lab datasets prepare`, docs/offline.md explains why); the page then serves and
 * caches the prepared dataset like any other.
 */
import { useEffect, useState } from 'react';
import { downloadNote, findDownloadable, prepareCommand } from '../../core/datasets/downloads';
import type { Exercise } from '../../core/exercises/schema';
import { formatSize } from '../../core/shared/format-error';
import { findPretrained } from '../../core/models/registry';
import { routeHref } from '../routing';
import { fetchDatasetsIndex } from './datasets-index';

type ServerState =
  { kind: 'checking' } | { kind: 'prepared'; bytes: number } | { kind: 'absent' } | { kind: 'unknown' };

export function CourseDataNote({ exercise }: { exercise: Exercise }) {
  const dataset = exercise.dataset && findDownloadable(exercise.dataset) ? exercise.dataset : undefined;
  const [server, setServer] = useState<ServerState>({ kind: 'checking' });

  useEffect(() => {
    if (!dataset) return;
    let live = true;
    fetchDatasetsIndex()
      .then((entries) => {
        const entry = entries.find((e) => e.id === dataset);
        if (live) setServer(entry ? { kind: 'prepared', bytes: entry.bytes } : { kind: 'absent' });
      })
      .catch(() => live && setServer({ kind: 'unknown' }));
    return () => {
      live = false;
    };
  }, [dataset]);

  const published = (exercise.pretrained ?? [])
    .map((id) => findPretrained(id))
    .filter((entry) => entry?.source.kind === 'url');
  if (!dataset && !exercise.targetSource && published.length === 0) return null;

  return (
    <div className="course-data-note" data-testid="course-data-note">
      {dataset && server.kind === 'absent' && (
        <p className="notice" data-testid="dataset-absent">
          <strong>{dataset}</strong> is not on this server yet: it {downloadNote(dataset)}. Where the app is
          served, run <code>{prepareCommand(dataset)}</code> (it shows the download&apos;s progress and checks
          its SHA-256), then reload.
        </p>
      )}
      {dataset && server.kind === 'prepared' && (
        <p className="hint">
          <strong>{dataset}</strong> is prepared on this server ({formatSize(server.bytes)} to load).{' '}
          <a href={routeHref.datasets}>Datasets</a> → <em>Make available offline</em> keeps it for offline
          use.
        </p>
      )}
      {dataset && server.kind === 'unknown' && (
        <p className="hint">
          Could not check whether <strong>{dataset}</strong> is on this server (offline?): a dataset made
          available offline still works. Preparing it {downloadNote(dataset)}:{' '}
          <code>{prepareCommand(dataset)}</code>.
        </p>
      )}
      {published.map((entry) => (
        <p className="hint" key={entry!.id}>
          Uses the published model <code>{entry!.id}</code> ({entry!.licence}), downloaded from{' '}
          {new URL((entry!.source as { url: string }).url).host} on first use and checked against the hashes
          recorded then. <a href={routeHref.datasets}>Datasets</a> → <em>Pretrained models</em> →{' '}
          <em>Make available offline</em> keeps it.
        </p>
      ))}
      {exercise.targetSource && (
        <details className="target-source" data-testid="target-source">
          <summary>
            Where the targets come from
            {exercise.targetSource.measuredHere ? '' : ': the course’s graders, not measured here'}
          </summary>
          <p>{exercise.targetSource.source}</p>
          {exercise.targetSource.note && <p>{exercise.targetSource.note}</p>}
        </details>
      )}
    </div>
  );
}
