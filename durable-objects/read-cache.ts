/**
 * AWS-backed reads a room answers from memory for a short time: a bucket's usage, a user's keys.
 * However many managers open the same page, AWS sees one call per entry per TTL, and concurrent
 * askers share one call in flight. A failed call is not kept. Memory only: an evicted room simply
 * asks again.
 */
export class ReadCache<T> {
  readonly #entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    /** Entries kept at most (the oldest go first), so a room's memory stays bounded. */
    private readonly max = 500,
  ) {}

  async get(key: string, load: () => Promise<T>, now = Date.now()): Promise<T> {
    const hit = this.#entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = load();
    this.#entries.delete(key);
    this.#entries.set(key, { at: now, value });
    while (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value ?? "");
    try {
      return await value;
    } catch (err) {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
      throw err;
    }
  }

  /** Forgets an entry the room just changed itself (a key created, deactivated, deleted). */
  forget(key: string): void {
    this.#entries.delete(key);
  }
}
