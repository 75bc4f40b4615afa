/**
 * Work that must be written before the page reloads itself (the "Update" button): the open
 * exercise registers its draft's flush here, and the update waits for every flush first.
 */
type Flush = () => Promise<void>;

const flushes = new Set<Flush>();

/** Returns the function that unregisters it. */
export function registerBeforeReload(flush: Flush): () => void {
  flushes.add(flush);
  return () => {
    flushes.delete(flush);
  };
}

/** Runs every registered flush; one that fails does not stop the others. */
export async function flushBeforeReload(): Promise<void> {
  await Promise.allSettled([...flushes].map((flush) => flush()));
}
