/**
 * A bounded, expiring memo of Slack look-ups (`users.info`, `conversations.info`):
 * one call per key per TTL, shared by everyone asking while it is in flight. A
 * look-up that found nothing (undefined: a missing scope, an outage) is kept for
 * a shorter time, so a scope added later is picked up soon. The oldest entries
 * go first past `maxEntries`.
 */
export interface LookupCacheOptions {
  readonly ttlMs: number;
  readonly failureTtlMs: number;
  readonly maxEntries: number;
  readonly now?: (() => number) | undefined;
}

export class LookupCache<V> {
  readonly #o: LookupCacheOptions;
  readonly #now: () => number;
  readonly #entries = new Map<string, { value: Promise<V | undefined>; expiresAt: number }>();

  constructor(options: LookupCacheOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** The remembered answer for `key`, or `load`'s (which must not throw: it answers undefined instead). */
  async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const cached = this.#entries.get(key);
    if (cached && cached.expiresAt > this.#now()) return cached.value;
    const entry = { value: load(), expiresAt: this.#now() + this.#o.ttlMs };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#o.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    const value = await entry.value;
    if (value === undefined) entry.expiresAt = this.#now() + this.#o.failureTtlMs;
    return value;
  }
}
