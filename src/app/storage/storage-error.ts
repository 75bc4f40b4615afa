/** Says what went wrong with browser storage (IndexedDB) in words a learner can act on. */
import { errorMessage } from '../../core/shared/errors';
export function describeStorageError(error: unknown, doing: string): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  const detail = errorMessage(error);
  if (name === 'QuotaExceededError') {
    return `Could not ${doing}: the browser's storage for this site is full. Your work is still in this tab; free some space (or export it) before closing the tab.`;
  }
  if (name === 'InvalidStateError' || name === 'SecurityError') {
    return `Could not ${doing}: this browser does not allow storage here (private mode?). Your work is still in this tab but will not survive a reload.`;
  }
  return `Could not ${doing}: ${detail}`;
}
