import type { BackendInfo } from '../run/run-view';
import type { BackendPreference } from '../../core/sandbox/run-types';

/** The backend in use; its title lists each probe tried and why one failed. */
export function BackendBadge({ info, pinned }: { info: BackendInfo | null; pinned: BackendPreference }) {
  const pinLabel = pinned === 'auto' ? 'automatic choice' : `pinned to ${pinned}`;
  if (!info) {
    return (
      <span
        className="backend-badge backend-pending"
        title={`Backend: ${pinLabel}`}
        data-testid="backend-badge"
      >
        backend: {pinned === 'auto' ? 'auto' : pinned}
      </span>
    );
  }
  const probes = info.tried
    .map((probe) => `${probe.backend}: ${probe.ok ? 'ok' : `failed — ${probe.reason ?? 'no reason given'}`}`)
    .join('\n');
  const failed = info.tried.filter((probe) => !probe.ok).length;
  return (
    <span
      className="backend-badge"
      title={`Backend in use: ${info.backend} (${pinLabel})\n${probes}`}
      data-testid="backend-badge"
    >
      backend: <strong>{info.backend}</strong>
      {failed > 0 && <span className="backend-fallbacks"> ({failed} skipped)</span>}
    </span>
  );
}
