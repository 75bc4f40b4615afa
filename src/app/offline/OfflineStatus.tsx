/** The header's offline badge ("Ready offline") and, when a new version waits, its Update button. */
import { useEffect } from 'react';
import { useOfflineStore } from './offline-store';

export function OfflineStatus() {
  const { state, error, updateWaiting, register, applyUpdate } = useOfflineStore();

  useEffect(() => {
    void register();
  }, [register]);

  return (
    <span className="offline-status">
      {state === 'installing' && (
        <span className="offline-badge installing" data-testid="offline-badge">
          Saving for offline…
        </span>
      )}
      {state === 'ready' && (
        <span
          className="offline-badge ready"
          data-testid="offline-badge"
          title="The app is stored in this browser and works without a network"
        >
          Ready offline
        </span>
      )}
      {state === 'failed' && (
        <span className="offline-badge failed" data-testid="offline-badge" title={error ?? undefined}>
          Not available offline
        </span>
      )}
      {updateWaiting && (
        <button
          type="button"
          className="update-button"
          data-testid="update-button"
          title="A new version of CV Lab is ready; your drafts are saved first"
          onClick={() => void applyUpdate()}
        >
          Update
        </button>
      )}
    </span>
  );
}
