import type { BackendInfo } from '../run/run-view';
import type { BackendPreference } from '../../core/sandbox/run-types';
import { rankBackends } from '@cv-lab/runtime';
import {
  describeTrials,
  formatSpeed,
  pageBackends,
  useBackendSpeedStore,
} from '../stores/backend-speed-store';

/**
 * The backend in use and the runner-up it would fall back to, from this device's measured speeds
 * (Settings has the table); its title lists each probe tried, why one failed, and the figures.
 */
export function BackendBadge({ info, pinned }: { info: BackendInfo | null; pinned: BackendPreference }) {
  const measurement = useBackendSpeedStore((s) => s.current);
  const pinLabel = pinned === 'auto' ? 'automatic choice by measured speed' : `pinned to ${pinned}`;
  const ranking = measurement ? rankBackends(measurement.trials, pinned, pageBackends) : null;
  const figures =
    measurement && ranking ? `\nMeasured:\n${describeTrials(measurement, ranking).join('\n')}` : '';
  const speedOf = (backend: string) => {
    const trial = measurement?.trials.find((t) => t.backend === backend && t.ok);
    return trial ? ` ${formatSpeed(trial.imagesPerSecond!)} img/s` : '';
  };
  if (!info) {
    return (
      <span
        className="backend-badge backend-pending"
        title={`Backend: ${pinLabel}${figures}`}
        data-testid="backend-badge"
      >
        backend: {pinned === 'auto' ? (ranking?.chosen ? `auto (${ranking.chosen})` : 'auto') : pinned}
      </span>
    );
  }
  const probes = info.tried
    .map((probe) => `${probe.backend}: ${probe.ok ? 'ok' : `failed — ${probe.reason ?? 'no reason given'}`}`)
    .join('\n');
  const dropped = info.tried.filter(
    (probe) => !probe.ok && probe.reason?.startsWith('dropped during the run'),
  );
  const failed = info.tried.filter((probe) => !probe.ok).length - dropped.length;
  const inUse = ranking?.order.indexOf(info.backend as never) ?? -1;
  const runnerUp = inUse >= 0 ? ranking?.order[inUse + 1] : ranking?.runnerUp;
  return (
    <span
      className="backend-badge"
      title={`Backend in use: ${info.backend}${speedOf(info.backend)} (${pinLabel})${
        runnerUp ? `\nRunner-up: ${runnerUp}${speedOf(runnerUp)}` : ''
      }\n${probes}${figures}`}
      data-testid="backend-badge"
    >
      backend: <strong>{info.backend}</strong>
      {runnerUp && <span className="backend-runner-up"> (runner-up: {runnerUp})</span>}
      {dropped.length > 0 && (
        <span className="backend-fallbacks">
          {' '}
          ({dropped.map((d) => d.backend).join(', ')} dropped mid-run)
        </span>
      )}
      {failed > 0 && <span className="backend-fallbacks"> ({failed} skipped)</span>}
    </span>
  );
}
