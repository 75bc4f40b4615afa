/**
 * An in-memory Cache Storage for the offline tests (Node has none): what the page, the service
 * worker and the lab worker use of it (open, match, put, delete, keys), and a quota that can run out.
 */
interface Stored {
  bytes: Uint8Array;
  headers: [string, string][];
}

function keyOf(request: RequestInfo | URL): string {
  return typeof request === 'string' ? request : request instanceof URL ? request.href : request.url;
}

export class FakeCache {
  readonly entries = new Map<string, Stored>();
  /**
   * Puts left before the quota runs out (a `QuotaExceededError`), and given back by a delete (it
   * frees the space); undefined: no limit.
   */
  putsLeft: number | undefined;

  async put(request: RequestInfo | URL, response: Response): Promise<void> {
    if (this.putsLeft !== undefined) {
      if (this.putsLeft <= 0) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      this.putsLeft--;
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    this.entries.set(keyOf(request), { bytes, headers: [...response.headers] });
  }

  async match(request: RequestInfo | URL): Promise<Response | undefined> {
    const stored = this.entries.get(keyOf(request));
    return stored ? new Response(stored.bytes.slice(), { headers: stored.headers }) : undefined;
  }

  async delete(request: RequestInfo | URL): Promise<boolean> {
    const deleted = this.entries.delete(keyOf(request));
    if (deleted && this.putsLeft !== undefined) this.putsLeft++;
    return deleted;
  }

  async keys(): Promise<Request[]> {
    return [...this.entries.keys()].map((url) => new Request(url));
  }

  text(url: string): string | undefined {
    const stored = this.entries.get(url);
    return stored && new TextDecoder().decode(stored.bytes);
  }
}

export class FakeCacheStorage {
  readonly named = new Map<string, FakeCache>();

  async open(name: string): Promise<FakeCache> {
    let cache = this.named.get(name);
    if (!cache) this.named.set(name, (cache = new FakeCache()));
    return cache;
  }

  async match(
    request: RequestInfo | URL,
    options: { cacheName?: string } = {},
  ): Promise<Response | undefined> {
    const names = options.cacheName ? [options.cacheName] : [...this.named.keys()];
    for (const name of names) {
      const found = await this.named.get(name)?.match(request);
      if (found) return found;
    }
    return undefined;
  }

  async keys(): Promise<string[]> {
    return [...this.named.keys()];
  }

  async delete(name: string): Promise<boolean> {
    return this.named.delete(name);
  }
}
